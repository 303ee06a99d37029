// Test-only entry (@breakwater/notify/testing): every channel type's fake provider and what it
// checks of a delivery, for the channel contract suite and bench/notify.
export * from './contracts.ts';
export * from './channel-contract.ts';
