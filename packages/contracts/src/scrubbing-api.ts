// Request and response shapes of the Scrubbing endpoints (full-api.md "Scrubbing"; paths.md):
// the integrations (CRUD, list with status), their live status, test, announce and withdraw, and
// each integration's history. The words (types, states, health, capabilities) are scrubbing.ts's.
import { Type, type Static } from 'typebox';
import { MultilineText, SafeText } from './common.ts';
import { ScrubbingCapabilities, ScrubbingStatus, SCRUBBING_TYPES, DIVERSION_STATES, SCRUBBING_HEALTH } from './scrubbing.ts';

const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);
const Target = Type.String({ minLength: 1, maxLength: 128, description: 'An IP address or CIDR prefix (or the provider object the type protects, e.g. a zone id)' });

/**
 * A stored diversion's state: the provider's (scrubbing.ts DIVERSION_STATES), and two of ours —
 * `refused` (never sent: allowlist, flap guard, disabled integration) and `dry_run` (recorded only).
 */
export const DIVERSION_RECORD_STATES = [...DIVERSION_STATES, 'refused', 'dry_run'] as const;
export type DiversionRecordState = (typeof DIVERSION_RECORD_STATES)[number];
/** Who owns a diversion: a person (or token), the escalation policy, or a runbook execution. */
export const DIVERSION_OWNER_KINDS = ['user', 'policy', 'runbook'] as const;
export type DiversionOwnerKind = (typeof DIVERSION_OWNER_KINDS)[number];

export const IntegrationBody = Type.Object({
  integration_type: Type.Enum([...SCRUBBING_TYPES]),
  name: SafeText({ minLength: 1, maxLength: 100 }),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'The type\'s settings and credentials (see each type\'s config); credentials are masked on read, and a masked value sent back keeps the stored one' }),
  enabled: Type.Optional(Type.Boolean({ description: 'A disabled integration diverts nothing (default true)' })),
}, { additionalProperties: false });
export type IntegrationBody = Static<typeof IntegrationBody>;

export const IntegrationPatch = Type.Partial(Type.Omit(IntegrationBody, ['integration_type']), { additionalProperties: false });
export type IntegrationPatch = Static<typeof IntegrationPatch>;

export const DiversionInfo = Type.Object({
  id: Type.String(),
  integration_id: Type.String(),
  integration_name: NullableStr,
  target: Type.String(),
  state: Type.String({ description: DIVERSION_RECORD_STATES.join(' | ') }),
  dry_run: Type.Boolean(),
  owner_kind: Type.String({ description: DIVERSION_OWNER_KINDS.join(' | ') }),
  owner: Type.String({ description: '"user:…"/"token:…", "policy" or "runbook:<execution id>"' }),
  reason: Type.String(),
  incident_id: NullableStr,
  node_id: NullableStr,
  tier: NullableStr,
  ttl: Type.Integer(),
  expires_at: NullableStr,
  /** Set once its incident resolved: withdrawn at this time (the policy's hold-down). */
  withdraw_after: NullableStr,
  /** Flap guard: not withdrawn before this (the provider's documented time to take effect). */
  earliest_withdraw_at: NullableStr,
  idempotency_key: Type.String(),
  attempts: Type.Integer(),
  error: NullableStr,
  detail: NullableStr,
  requested_at: Type.String(),
  propagating_at: NullableStr,
  diverting_at: NullableStr,
  withdrawing_at: NullableStr,
  ended_at: NullableStr,
  ended_by: NullableStr,
  end_reason: NullableStr,
});
export type DiversionInfo = Static<typeof DiversionInfo>;

export const IntegrationInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  integration_type: Type.String(),
  config: Type.Unknown({ description: 'Credentials masked (****, or **** and the last 4 characters)' }),
  enabled: Type.Boolean(),
  capabilities: Type.Union([ScrubbingCapabilities, Type.Null()], { description: 'What enable does at this provider and how long it takes (null when the type is not available)' }),
  /** The targets the config names (prefixes, addresses or provider objects). */
  targets: Type.Array(Type.String()),
  /** Whether traffic is diverted now (or the nearest action is on) for any target. */
  diverting: Type.Boolean(),
  /** The most advanced state among its open diversions, idle when none. */
  state: Type.String({ description: DIVERSION_RECORD_STATES.join(' | ') }),
  since: NullableStr,
  health: Type.String({ description: SCRUBBING_HEALTH.join(' | ') }),
  active_diversions: Type.Array(DiversionInfo),
  last_test_at: NullableStr,
  last_latency_ms: NullableInt,
  last_error: NullableStr,
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type IntegrationInfo = Static<typeof IntegrationInfo>;

export const IntegrationStatus = Type.Object({
  integration_id: Type.String(),
  integration_type: Type.String(),
  diverting: Type.Boolean(),
  state: Type.String({ description: DIVERSION_RECORD_STATES.join(' | ') }),
  since: NullableStr,
  health: Type.String({ description: SCRUBBING_HEALTH.join(' | ') }),
  /** How long the provider took to answer the status calls. */
  latency_ms: NullableInt,
  checked_at: Type.String(),
  /** What the provider reports now, per target asked (its open diversions' targets, else the configured ones). */
  provider: Type.Array(ScrubbingStatus),
  /** Problems asking the provider (sanitised; no secret, no provider body). */
  errors: Type.Array(Type.Object({ target: Type.String(), code: Type.String(), message: Type.String() })),
  capabilities: Type.Union([ScrubbingCapabilities, Type.Null()]),
  diversions: Type.Array(DiversionInfo),
});
export type IntegrationStatus = Static<typeof IntegrationStatus>;

export const IntegrationTestResult = Type.Object({
  ok: Type.Boolean(),
  latency_ms: Type.Integer(),
  health: Type.String({ description: SCRUBBING_HEALTH.join(' | ') }),
  message: Type.String(),
});
export type IntegrationTestResult = Static<typeof IntegrationTestResult>;

export const AnnounceBody = Type.Object({
  target: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The address or prefix to divert (the integration\'s target covering it is used); default: the integration\'s only target' })),
  reason: Type.Optional(MultilineText({ maxLength: 500 })),
  ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'Seconds; 0 = until withdrawn (capped at the policy max_rule_ttl)' })),
  incident: Type.Optional(Type.String({ maxLength: 64, description: 'The incident (UUID) this diversion answers' })),
  dry_run: Type.Optional(Type.Boolean({ description: 'Record the diversion without calling the provider' })),
}, { additionalProperties: false });
export type AnnounceBody = Static<typeof AnnounceBody>;

export const WithdrawBody = Type.Object({
  target: Type.Optional(Target),
  reason: Type.Optional(MultilineText({ maxLength: 500 })),
  /** Withdraw before the provider's documented minimum has passed (the flap guard otherwise schedules it). */
  force: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type WithdrawBody = Static<typeof WithdrawBody>;

export const WithdrawResult = Type.Object({
  /** The diversions asked to end: withdrawing or idle now, or still diverting with withdraw_after set when the flap guard scheduled it. */
  diversions: Type.Array(DiversionInfo),
});

export const ScrubbingEventInfo = Type.Object({
  id: Type.Integer(),
  diversion_id: NullableStr,
  event: Type.String(),
  from_state: NullableStr,
  to_state: NullableStr,
  actor: Type.String(),
  message: Type.String(),
  at: Type.String(),
});

export const ScrubbingHistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Results per page (1-500)' }),
}, { additionalProperties: false });

export const ScrubbingHistory = Type.Object({
  diversions: Type.Array(DiversionInfo),
  events: Type.Array(ScrubbingEventInfo),
});
