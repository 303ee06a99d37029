// Test-only entry (@breakwater/agent/testing): a server and an enrolled agent started inside a
// test's victim namespace, for the agent's end-to-end tests and bench/detect-latency.
export * from './stack.ts';
// A real server and the whole agent (replayed capture, recording firewall, no root) joined over its WebSocket: the fleet API's tests.
export { startFleetBed, openSse, type FleetBed, type SseEvent } from './fleet-bed.ts';
// Fakes for the agent's pluggable families (they prove the seams: the whole agent runs on them
// with no root, tcpdump or nftables) and the contract suites every implementation runs.
export * from './replay-source.ts';
export * from './recording-firewall.ts';
export * from './namespaced-program.ts';
export { captureSourceContract, type CaptureHarness } from '../capture/capture-source.contract.ts';
export { firewallExecutorContract, type FirewallHarness } from '../firewall/firewall-executor.contract.ts';
export { AgentMetrics, type AgentState } from '../agent-metrics.ts';
