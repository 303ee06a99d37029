// Test-only entry (@breakwater/mitigation/testing): the shared adapter contract suite, the
// real-daemon beds (namespaces, upstream BIRD, speakers) the BGP adapters are proven against,
// and the webhook receiver the server's and dashboard's tests mitigate through.
export * from './contract.ts';
export * from './upstream.ts';
export * from './bed.ts';
export * from './gobgp-cli-rib.ts';
export * from './gobgp-harness.ts';
export * from './bird2-harness.ts';
export * from './exabgp-harness.ts';
export * from './frr-harness.ts';
export * from './fakes/webhook.ts';
