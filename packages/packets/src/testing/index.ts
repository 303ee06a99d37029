// Test-only entry (@breakwater/packets/testing): packets and pcapng files built byte by byte,
// for other packages' tests and the benches. Not for the hot path: every call allocates.
export * from './packet-builder.ts';
export * from './pcapng-builder.ts';
