// What the CLI needs, and nothing heavy: the agent proper loads when it starts (see
// agent-launcher.ts). Its parts are imported by path where needed (tests, bench).
export { AGENT_DEFAULTS, AgentConfigError, loadAgentConfig, validateAgentConfig, writeAgentConfig, type AgentConfig } from './agent-config.ts';
export { enroll, interfaceAddress, type EnrollOptions } from './enroll.ts';
export { createAgent, compileCacheDir, type AgentDeps } from './agent-launcher.ts';
