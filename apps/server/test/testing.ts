// Test-only entry (@breakwater/server/testing): a server started on a test backend with its
// first workspace and credentials, and the real BGP speakers an adapter type drives, for the
// dashboard's tests and the benches.
export * from './harness.ts';
export * from './speaker-beds.ts';
