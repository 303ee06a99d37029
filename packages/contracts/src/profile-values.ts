// The kinds of firewall profile and the suites they come in, and where a profile lives on a node.
// Plain values (no TypeBox): the agent reads them; see plain.ts. Schemas are in profiles.ts.

export const PROFILE_IDS = ['game_server', 'hosting_provider', 'isp', 'saas', 'ecommerce', 'fintech', 'small_operator', 'msp', 'edge_node', 'router', 'game_studio'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];
export const isProfileId = (v: unknown): v is ProfileId => (PROFILE_IDS as readonly unknown[]).includes(v);

export const FIREWALL_SUITES = ['iptables', 'nftables', 'ufw', 'firewalld'] as const;
export type FirewallSuite = (typeof FIREWALL_SUITES)[number];
export const isFirewallSuite = (v: unknown): v is FirewallSuite => (FIREWALL_SUITES as readonly unknown[]).includes(v);

/** Where a profile lives on the node: its own table (nftables) or chain (iptables), never the operator's. */
export const PROFILE_TABLE = 'bw_profile';
export const PROFILE_CHAIN = 'BW-PROFILE';
