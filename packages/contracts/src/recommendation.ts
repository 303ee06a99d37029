// The mitigation the detection engine recommends for one incident, as `breakwater analyze --json`
// and GET /api/v1/pcaps/{id}/analysis print it. Words come from the FlowSpec vocabulary in
// mitigation.ts (TCP flag and fragment names, protocol numbers). A recommendation is advice, not a
// RuleSpec an adapter announces: it may negate a flag (`!ack`), list single ports and several
// sources, and sizes rate limits in bits per second.
import { Type, type Static } from 'typebox';
import { FRAGMENT_NAMES, TCP_FLAG_NAMES, type TcpFlagName } from './mitigation.ts';

/** An RFC 8955 TCP flag term: `syn` must be set, `!ack` must be clear. */
export type TcpFlagTerm = TcpFlagName | `!${TcpFlagName}`;
export const TCP_FLAG_TERMS: readonly TcpFlagTerm[] = [...TCP_FLAG_NAMES, ...TCP_FLAG_NAMES.map((f) => `!${f}` as const)];

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Ports = Type.Array(Port);
const Reason = Type.String();
const FlagNames = Type.Array(Type.Enum([...TCP_FLAG_NAMES]));

/** RFC 8955 match components; every present component must match (AND). */
export const FlowspecRecommendationMatch = Type.Object({
  /** Destination prefix: the protected target. */
  destination: Type.Optional(Type.String()),
  source: Type.Optional(Type.Array(Type.String())),
  /** IP protocol numbers (IP_PROTOCOLS). */
  protocol: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 255 }))),
  source_port: Type.Optional(Ports),
  destination_port: Type.Optional(Ports),
  tcp_flags: Type.Optional(Type.Array(Type.Enum([...TCP_FLAG_TERMS]))),
  fragment: Type.Optional(Type.Array(Type.Enum([...FRAGMENT_NAMES]))),
}, { additionalProperties: false });
export type FlowspecRecommendationMatch = Static<typeof FlowspecRecommendationMatch>;

export const FlowspecRecommendationAction = Type.Union([
  Type.Object({ type: Type.Literal('discard') }, { additionalProperties: false }),
  /** Bits per second. */
  Type.Object({ type: Type.Literal('rate-limit'), bps: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
]);
export type FlowspecRecommendationAction = Static<typeof FlowspecRecommendationAction>;

const flowspecFields = { match: FlowspecRecommendationMatch, action: FlowspecRecommendationAction, reason: Reason };
export const FlowspecRecommendation = Type.Object(flowspecFields, { additionalProperties: false });
export type FlowspecRecommendation = Static<typeof FlowspecRecommendation>;

/** RFC 7999 blackhole of the target. */
const blackholeFields = {
  prefix: Type.String(),
  community: Type.Literal('65535:666'),
  /** False: offered as the last resort only. */
  recommended: Type.Boolean(),
  reason: Reason,
};
export const BlackholeRecommendation = Type.Object(blackholeFields, { additionalProperties: false });
export type BlackholeRecommendation = Static<typeof BlackholeRecommendation>;

/** A rule for the protected host's own firewall. */
const firewallFields = {
  action: Type.Enum(['drop', 'rate_limit', 'syn_cookies']),
  protocol: Type.Optional(Type.Enum(['tcp', 'udp', 'icmp', 'gre'])),
  sources: Type.Optional(Type.Array(Type.String())),
  src_ports: Type.Optional(Ports),
  dst_ports: Type.Optional(Ports),
  tcp_flags: Type.Optional(Type.Object({ set: FlagNames, unset: FlagNames }, { additionalProperties: false })),
  fragments: Type.Optional(Type.Boolean()),
  /** For rate_limit: packets per second allowed through. */
  rate_pps: Type.Optional(Type.Integer({ minimum: 1 })),
  /** For rate_limit: the limit applies to each source address on its own (an nftables meter), not to all together. */
  per_source: Type.Optional(Type.Boolean()),
  reason: Reason,
};
export const FirewallRecommendation = Type.Object(firewallFields, { additionalProperties: false });
export type FirewallRecommendation = Static<typeof FirewallRecommendation>;

/** What the engine recommends for one incident (detection's `recommendMitigation`). */
export interface MitigationRecommendation {
  flowspec: FlowspecRecommendation[];
  blackhole: BlackholeRecommendation | undefined;
  firewall: FirewallRecommendation[];
  notes: string[];
}

/** Which incident of the report (its index) and which target an entry is for. */
const about = { incident: Type.Integer({ minimum: 0 }), target: Type.String() };

/** One entry of an analysis report's `recommendations`, tagged by `kind`. */
export const Recommendation = Type.Union([
  Type.Object({ kind: Type.Literal('flowspec'), ...about, ...flowspecFields }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('blackhole'), ...about, ...blackholeFields }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('firewall'), ...about, ...firewallFields }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('note'), ...about, reason: Reason }, { additionalProperties: false }),
]);
export type Recommendation = Static<typeof Recommendation>;
