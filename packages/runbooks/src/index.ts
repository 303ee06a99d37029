export * from './step.ts';
export * from './template.ts';
export * from './condition.ts';
export * from './registry.ts';
export * from './validate.ts';
export * from './synthetic.ts';
export { ruleParams } from './steps/iptables.ts';
export { webhookBody } from './steps/webhook.ts';
export * from './trigger.ts';
