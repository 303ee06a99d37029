// What the CLI needs, and nothing heavy: the agent proper loads when it starts (see
// agent-launcher.ts), and so do this host's capture source, firewall and counters
// (host-deps.ts). Tests and benches use @breakwater/agent/testing.
export { AGENT_DEFAULTS, AgentConfigError, loadAgentConfig, validateAgentConfig, writeAgentConfig, type AgentConfig } from './agent-config.ts';
export { enroll, interfaceAddress, type EnrollOptions } from './enroll.ts';
export { createAgent, compileCacheDir, execTuned, type AgentDeps } from './agent-launcher.ts';
export { kernelCounters, nftFirewall, tcpdumpCapture } from './host-deps.ts';
export type { CaptureHandlers, CaptureSource, CaptureSourceFactory, CaptureSourceOptions, CaptureStats } from './capture/capture-source.ts';
export type { AppliedRule, FirewallExecutor, FirewallFactory, ManagementEndpoint } from './firewall/firewall-executor.ts';
export type { CounterReading, CounterSource, CounterSourceFactory } from './kernel-counters.ts';
