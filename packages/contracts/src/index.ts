export * from './traffic.ts';
export * from './common.ts';
export * from './nodes.ts';
export * from './incidents.ts';
export * from './channels.ts';
export * from './deploy.ts';
export * from './agent.ts';
export * from './workspace.ts';
