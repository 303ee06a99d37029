export * from './notification.ts';
export * from './delivery-result.ts';
export * from './channel.ts';
export * from './registry.ts';
export * from './config-aliases.ts';
export * from './channel-reach.ts';
export * from './webhook-signature.ts';
export { plainText, titleOf } from './format.ts';
