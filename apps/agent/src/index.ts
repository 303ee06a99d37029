export { Spool, type SpoolOptions, type SpoolEntry } from './spool.ts';
