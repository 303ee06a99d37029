export { createF5Adapter } from './f5.ts';
