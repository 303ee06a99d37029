// Test-only entry (@breakwater/mitigation/testing): the shared adapter contract suite.
export * from './contract.ts';
