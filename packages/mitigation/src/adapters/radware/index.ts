export { createRadwareAdapter } from './radware.ts';
