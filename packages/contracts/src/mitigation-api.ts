// Request and response shapes of the Mitigation and Allowlist endpoints (full-api.md).
import { Type, type Static } from 'typebox';
import { MultilineText, SafeText } from './common.ts';
import { ADAPTER_TYPES, CAPABILITIES, FlowspecAction, FlowspecMatch } from './mitigation.ts';
import { ADAPTER_STATUSES, RULE_STATUSES } from './statuses.ts';

const Name = SafeText({ minLength: 1, maxLength: 100 });
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);
const Community = Type.String({ pattern: '^[0-9]{1,10}:[0-9]{1,10}$' });

export const AdapterBody = Type.Object({
  adapter_type: Type.Enum([...ADAPTER_TYPES]),
  name: Name,
  endpoint: Type.String({ minLength: 1, maxLength: 500, description: 'URL, host:port or socket path, as the adapter type needs' }),
  auth_token: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Adapter-specific options (ASN, communities, next hop, account ids…)' })),
  capabilities: Type.Optional(Type.Array(Type.Enum([...CAPABILITIES]), { uniqueItems: true, maxItems: 3 })),
  max_active_rules: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Rules beyond this many active ones are refused (default 1000)' })),
}, { additionalProperties: false });
export type AdapterBody = Static<typeof AdapterBody>;

export const AdapterInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  adapter_type: Type.String(),
  endpoint: Type.String(),
  auth_token: Type.Union([Type.String({ description: 'Masked: only the last 4 characters are shown' }), Type.Null()]),
  config: Type.Unknown(),
  capabilities: Type.Array(Type.String()),
  max_active_rules: Type.Integer(),
  active_rules: Type.Integer(),
  status: Type.String({ description: `${ADAPTER_STATUSES.join(' | ')} (last test or operation)` }),
  last_test_at: NullableStr,
  last_latency_ms: NullableInt,
  last_error: NullableStr,
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const AdapterTestResult = Type.Object({ ok: Type.Boolean(), latency_ms: Type.Integer(), message: Type.String() });

export const RuleBody = Type.Object({
  target_ip: Type.String({ minLength: 1, maxLength: 64, description: 'IP address or prefix to mitigate' }),
  intent_type: Type.Enum([...CAPABILITIES]),
  adapter_id: Type.String({ minLength: 1, maxLength: 64 }),
  ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'Seconds; 0 = no expiry requested (capped at the policy max_rule_ttl)' })),
  reason: Type.Optional(MultilineText({ maxLength: 500 })),
  // Breakwater extensions: what a FlowSpec rule matches and does, and blackhole attributes.
  match: Type.Optional(Type.Omit(FlowspecMatch, ['destination'])),
  action: Type.Optional(FlowspecAction),
  communities: Type.Optional(Type.Array(Community, { maxItems: 16 })),
  next_hop: Type.Optional(Type.String({ format: 'ip' })),
  dry_run: Type.Optional(Type.Boolean({ description: 'Record the rule without announcing it' })),
}, { additionalProperties: false });
export type RuleBody = Static<typeof RuleBody>;

export const RuleHistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Results per page (1-500)' }),
  incident: Type.Optional(Type.String({ maxLength: 64, description: 'Only the rules of this incident (UUID)' })),
}, { additionalProperties: false });

export const RuleInfo = Type.Object({
  id: Type.String(),
  adapter_id: NullableStr,
  adapter_name: NullableStr,
  intent_type: Type.String({ description: 'blackhole | flowspec | scrubbing | firewall (a command to the node agent)' }),
  target_ip: Type.String(),
  spec: Type.Unknown(),
  status: Type.String({ description: RULE_STATUSES.join(' | ') }),
  dry_run: Type.Boolean(),
  tier: NullableStr,
  owner: Type.String(),
  reason: Type.String(),
  ttl: Type.Integer(),
  incident_id: NullableStr,
  node_id: NullableStr,
  attempts: Type.Integer(),
  error: NullableStr,
  created_at: Type.String(),
  announced_at: NullableStr,
  expires_at: NullableStr,
  withdrawn_at: NullableStr,
  withdrawn_by: NullableStr,
  withdraw_reason: NullableStr,
});
export type RuleInfo = Static<typeof RuleInfo>;

export const TIER_ACTIONS = ['firewall', 'flowspec', 'blackhole', 'scrubbing'] as const;
export type TierAction = (typeof TIER_ACTIONS)[number];

export const Tier = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9_]{1,32}$', description: 'e.g. tier1; per-host overrides use <name>_pps / <name>_bps' }),
  pps: Type.Optional(Type.Integer({ minimum: 1 })),
  bps: Type.Optional(Type.Integer({ minimum: 1 })),
  /** baseline_mode dynamic: the tier fires at multiplier × the node's learned p99 pps (never below pps). */
  multiplier: Type.Optional(Type.Number({ minimum: 1, maximum: 1000 })),
  action: Type.Enum([...TIER_ACTIONS]),
  adapter_id: Type.Optional(Type.String({ maxLength: 64, description: 'Required for flowspec and blackhole; for scrubbing, an adapter with the scrubbing capability (or give integration_id)' })),
  /** scrubbing: the cloud scrubbing integration (/api/v1/scrubbing) that diverts the attacked address. */
  integration_id: Type.Optional(Type.String({ maxLength: 64, description: 'scrubbing only: a scrubbing integration id (instead of adapter_id)' })),
  ttl: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86_400 })),
}, { additionalProperties: false });
export type Tier = Static<typeof Tier>;

export const EscalationPolicy = Type.Object({
  enabled: Type.Boolean({ default: true }),
  thresholds: Type.Array(Tier, { maxItems: 16, default: [] }),
  ttl: Type.Union([Type.Integer({ minimum: 60, maximum: 30 * 86_400 }), Type.Record(Type.String(), Type.Integer({ minimum: 60, maximum: 30 * 86_400 }))], { default: 3600 }),
  baseline_mode: Type.Enum(['static', 'dynamic'], { default: 'static' }),
  geo_lockdown: Type.Object({
    enabled: Type.Boolean({ default: false }),
    countries: Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), { maxItems: 250, default: [] }),
    action: Type.Enum(['firewall', 'flowspec'], { default: 'firewall' }),
    adapter_id: Type.Optional(Type.String({ maxLength: 64 })),
  }, { additionalProperties: false, default: { enabled: false, countries: [], action: 'firewall' } }),
  dry_run: Type.Boolean({ default: false }),
  hold_down_seconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 60, description: 'Rules stay this long after the incident resolves' }),
  min_blackhole_prefix_v4: Type.Integer({ minimum: 8, maximum: 32, default: 32 }),
  min_blackhole_prefix_v6: Type.Integer({ minimum: 16, maximum: 128, default: 128 }),
  max_rule_ttl: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 7 * 86_400 }),
  blackhole_communities: Type.Array(Community, { maxItems: 16, default: ['65535:666', '65535:65281'] }),
}, { additionalProperties: false });
export type EscalationPolicy = Static<typeof EscalationPolicy>;

export const PolicyBody = Type.Partial(EscalationPolicy, { additionalProperties: false });
export type PolicyBody = Static<typeof PolicyBody>;

export const ThresholdBody = Type.Object({
  target_ip: Type.String({ minLength: 1, maxLength: 64 }),
  label: Type.Optional(SafeText({ maxLength: 200 })),
  thresholds: Type.Record(Type.String({ pattern: '^[a-z0-9_]{1,32}_(pps|bps)$' }), Type.Integer({ minimum: 1 }), { description: 'e.g. {"tier1_bps": 1000000, "tier2_pps": 500000}' }),
}, { additionalProperties: false });
export type ThresholdBody = Static<typeof ThresholdBody>;

export const ThresholdInfo = Type.Object({
  id: Type.String(), target_ip: Type.String(), label: NullableStr, thresholds: Type.Record(Type.String(), Type.Integer()),
  created_at: Type.String(), updated_at: Type.String(),
});

export const AllowBody = Type.Object({
  ip_address: Type.String({ minLength: 1, maxLength: 64 }),
  label: Type.Optional(SafeText({ maxLength: 200 })),
  scope: Type.Optional(Type.Enum(['workspace', 'node'])),
  node: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });
export type AllowBody = Static<typeof AllowBody>;

export const AllowInfo = Type.Object({
  id: Type.String(), ip_address: Type.String(), label: NullableStr, scope: Type.String(), node: NullableStr,
  created_by: NullableStr, created_at: Type.String(),
});
