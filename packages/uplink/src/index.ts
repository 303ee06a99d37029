// What a reporting process (the agent, the flow collector) needs to reach the server's
// agent API without losing anything while it is away.
export { AgentClient, type AgentClientDeps, type CallResult, type NodeCredentials } from './agent-client.ts';
export { Sender, type Outgoing, type SenderDeps } from './sender.ts';
export { Spool, type SpoolEntry, type SpoolOptions } from './spool.ts';
export { SecondAccumulator } from './second-accumulator.ts';
export { MetricsEndpoint, metricsListenProblem, type MetricsEndpointConfig, type MetricsEndpointDeps } from './metrics-endpoint.ts';
