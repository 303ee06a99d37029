// Test-only entry (@breakwater/mitigation/testing): the shared adapter contract suite and the
// real-daemon beds (namespaces, upstream BIRD, speakers) the BGP adapters are proven against.
export * from './contract.ts';
export * from './upstream.ts';
export * from './bed.ts';
export * from './gobgp-cli-rib.ts';
export * from './gobgp-harness.ts';
export * from './bird2-harness.ts';
export * from './exabgp-harness.ts';
export * from './frr-harness.ts';
