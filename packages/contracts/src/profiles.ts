// Firewall profiles (full-api.md, Attack Profiles): a reviewed hardening baseline per kind of
// server, in each of four firewall suites. The kinds are declared here once; the rule sets
// and the per-suite parsers are in @breakwater/firewall-profiles.
import { Type, type Static } from 'typebox';
import { FIREWALL_SUITES, PROFILE_IDS } from './profile-values.ts';

export { FIREWALL_SUITES, isFirewallSuite, isProfileId, PROFILE_CHAIN, PROFILE_IDS, PROFILE_TABLE, type FirewallSuite, type ProfileId } from './profile-values.ts';

/** One rule of a profile in one suite: the suite's own text, a title and why it is there. */
export const ProfileRule = Type.Object({
  title: Type.String(),
  reason: Type.String(),
  cmd: Type.String({ description: 'The rule in the suite\'s own syntax (parsed into argv, never run by a shell)' }),
});
export type ProfileRule = Static<typeof ProfileRule>;

export const ProfileInfo = Type.Object({
  id: Type.Enum([...PROFILE_IDS]),
  title: Type.String(),
  description: Type.String(),
  tcp_ports: Type.Array(Type.Integer()),
  udp_ports: Type.Array(Type.Integer()),
  rules: Type.Object({ iptables: Type.Array(ProfileRule), nftables: Type.Array(ProfileRule), ufw: Type.Array(ProfileRule), firewalld: Type.Array(ProfileRule) }),
});
export type ProfileInfo = Static<typeof ProfileInfo>;

/** A custom rule sent with an apply: the suite's text and a title. */
export const CustomProfileRule = Type.Object({
  cmd: Type.String({ minLength: 1, maxLength: 1024 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });
export type CustomProfileRule = Static<typeof CustomProfileRule>;

export const ApplyProfileBody = Type.Object({
  profile_id: Type.String({ description: PROFILE_IDS.join(' | ') }),
  suite: Type.String({ description: FIREWALL_SUITES.join(' | ') }),
  node_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1000, description: 'Node UUIDs, or ["all"]' }),
  rules: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 200 })),
});
export type ApplyProfileBody = Static<typeof ApplyProfileBody>;

export const RollbackProfileBody = Type.Object({
  node_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 1000, description: 'Node UUIDs, or ["all"]' }),
}, { additionalProperties: false });
export type RollbackProfileBody = Static<typeof RollbackProfileBody>;

export const PROFILE_STATES = ['pending', 'applied', 'failed', 'rolling_back', 'rolled_back'] as const;
export type ProfileState = (typeof PROFILE_STATES)[number];

/** One node's applied profile (or the last one it had). */
export const ProfileStatus = Type.Object({
  node_id: Type.String(),
  node_name: Type.String(),
  profile_id: Type.String(),
  suite: Type.String(),
  state: Type.String({ description: PROFILE_STATES.join(' | ') }),
  rule_count: Type.Integer(),
  command_id: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  applied_by: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.String(),
});
export type ProfileStatus = Static<typeof ProfileStatus>;

/** What a node runs for a profile: the parsed argv of each rule, in order, and how it is wrapped. */
export const ProfilePreview = Type.Object({
  profile_id: Type.String(),
  suite: Type.String(),
  /** The whole input the agent feeds its tool (nft -f, iptables-restore), or the commands it runs (ufw, firewall-cmd). */
  script: Type.String(),
  rules: Type.Array(Type.Object({ title: Type.String(), reason: Type.String(), cmd: Type.String(), argv: Type.Array(Type.String()) })),
});
export type ProfilePreview = Static<typeof ProfilePreview>;
