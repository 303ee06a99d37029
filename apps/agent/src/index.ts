export { Spool, type SpoolOptions, type SpoolEntry } from './spool.ts';
export { AGENT_DEFAULTS, AgentConfigError, loadAgentConfig, validateAgentConfig, writeAgentConfig, type AgentConfig } from './agent-config.ts';
export { enroll, interfaceAddress, type EnrollOptions } from './enroll.ts';
export { KernelCounters, counterDelta, CounterSourceError, type CounterReading, type CounterDelta } from './kernel-counters.ts';
export { TcpdumpSource, exclusionFilter, CaptureConfigError, type CaptureSource, type TcpdumpOptions, type CaptureHandlers } from './capture/tcpdump-source.ts';
export { LiveTicks, type LiveTicksOptions, type LiveTicksDeps } from './capture/live-ticks.ts';
export { createAgent, SecondAccumulator, outgoingOf, type AgentDeps } from './agent.ts';
export { AgentClient, type CallResult } from './agent-client.ts';
export { Sender, type Outgoing } from './sender.ts';
