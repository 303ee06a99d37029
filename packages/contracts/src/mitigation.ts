// Mitigation: what a rule says (blackhole, FlowSpec, scrubbing), which adapters carry it, and
// the shapes of the Mitigation and Allowlist endpoints of full-api.md.
import { Type, type Static } from 'typebox';
import type { FirewallCommandType } from './commands.ts';

export const ADAPTER_TYPES = ['exabgp', 'gobgp', 'cloudflare', 'webhook', 'bird2', 'frr', 'radware', 'f5'] as const;
export type AdapterType = (typeof ADAPTER_TYPES)[number];
export const CAPABILITIES = ['blackhole', 'flowspec', 'scrubbing'] as const;
export type Capability = (typeof CAPABILITIES)[number];
export const INTENT_TYPES = CAPABILITIES;
export type IntentType = Capability;

/** Inclusive numeric range as FlowSpec numeric operators express it (a single value when from = to). */
export const NumRange = Type.Object({
  from: Type.Integer({ minimum: 0, maximum: 65535 }),
  to: Type.Integer({ minimum: 0, maximum: 65535 }),
}, { additionalProperties: false });
export type NumRange = Static<typeof NumRange>;

export { IP_PROTOCOLS } from './ip-protocols.ts';

export const TCP_FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
export type TcpFlagName = (typeof TCP_FLAG_NAMES)[number];
export const FRAGMENT_NAMES = ['dont-fragment', 'is-fragment', 'first-fragment', 'last-fragment'] as const;
export type FragmentName = (typeof FRAGMENT_NAMES)[number];

const Prefix = Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', maxLength: 49, description: 'CIDR prefix' });
const Community = Type.String({ pattern: '^[0-9]{1,10}:[0-9]{1,10}$', description: 'Standard community ASN:value' });

/** RFC 8955 (IPv4) / RFC 8956 (IPv6) components. Every present component must match (AND). */
export const FlowspecMatch = Type.Object({
  destination: Prefix,
  source: Type.Optional(Prefix),
  /** IP protocol numbers (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 47 gre); any of them. */
  protocols: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1, maxItems: 8 })),
  destination_ports: Type.Optional(Type.Array(NumRange, { minItems: 1, maxItems: 8 })),
  source_ports: Type.Optional(Type.Array(NumRange, { minItems: 1, maxItems: 8 })),
  /** Match packets with all of these flags set. */
  tcp_flags: Type.Optional(Type.Array(Type.Enum([...TCP_FLAG_NAMES]), { minItems: 1, maxItems: 8 })),
  packet_length: Type.Optional(Type.Array(NumRange, { minItems: 1, maxItems: 8 })),
  fragment: Type.Optional(Type.Array(Type.Enum([...FRAGMENT_NAMES]), { minItems: 1, maxItems: 4 })),
}, { additionalProperties: false });
export type FlowspecMatch = Static<typeof FlowspecMatch>;

export const FlowspecAction = Type.Union([
  Type.Object({ type: Type.Literal('discard') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('rate-limit'), bytes_per_second: Type.Integer({ minimum: 1, maximum: 1e12 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('redirect'), route_target: Community }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('mark'), dscp: Type.Integer({ minimum: 0, maximum: 63 }) }, { additionalProperties: false }),
]);
export type FlowspecAction = Static<typeof FlowspecAction>;

/** What an adapter is asked to announce. Prefixes are canonical (host bits zero). */
export type RuleSpec =
  | { kind: 'blackhole'; prefix: string; next_hop: string | null; communities: string[] }
  | { kind: 'flowspec'; match: FlowspecMatch; action: FlowspecAction }
  | { kind: 'scrubbing'; prefix: string };

/**
 * What a rule of intent `firewall` asks of the node's own firewall: an agent command (never
 * `exec`) and what it is about, stored as the rule's spec and shown in the rule list.
 */
export interface FirewallIntent {
  type: FirewallCommandType | 'revoke';
  params: Record<string, unknown>;
  /** What the rule is about (its target), for the rule list. */
  target: string;
}
