// Test-only entry (@breakwater/flows/testing): datagram builders for NetFlow v9, IPFIX and
// sFlow v5, and tshark as a reference decoder. Not for the hot path: every call allocates.
export * from './tshark-reference.ts';
export * from './fixtures.ts';
export * from './netflow-builder.ts';
export * from './sflow-builder.ts';
