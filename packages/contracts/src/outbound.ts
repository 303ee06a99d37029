// Where the server may send outbound calls (notification channels, mitigation adapters). Public
// addresses are always reachable; these ranges only where the operator's config grants them, per
// channel or adapter type. Link-local and cloud metadata addresses are never reachable.
export const OUTBOUND_REACH = ['loopback', 'private'] as const;
export type OutboundReach = (typeof OUTBOUND_REACH)[number];
