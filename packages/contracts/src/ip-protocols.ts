// A plain value (no TypeBox): the detection engine reads it in the agent; see plain.ts.

/** IP protocol numbers FlowSpec rules and firewall intents name. */
export const IP_PROTOCOLS = { icmp: 1, tcp: 6, udp: 17, gre: 47, icmpv6: 58 } as const;
