export * from './provider.ts';
export * from './errors.ts';
export * from './registry.ts';
export { scrubbingConfig } from './config.ts';
