// Runbooks (full-api.md "Runbooks", paths.md): automated responses that run an ordered list of
// typed steps when an incident matches their trigger conditions. The eight step types and each
// one's action_config schema are declared here once; @breakwater/runbooks holds their behaviour.
import { Type, type Static, type TSchema } from 'typebox';
import { FIREWALL_COMMAND_TYPES } from './commands.ts';
import { MultilineText, SafeText } from './common.ts';
import { SEVERITIES } from './traffic.ts';

export const STEP_TYPES = ['wait', 'iptables', 'notify_channel', 'webhook', 'cloudflare_uam', 'scrubbing_enable', 'log', 'condition'] as const;
export type StepType = (typeof STEP_TYPES)[number];
export const isStepType = (v: unknown): v is StepType => (STEP_TYPES as readonly unknown[]).includes(v);

/** What a failing step does to its run: stop it, go on with the next step, or undo what the run did so far and stop. */
export const ON_FAILURE = ['stop', 'continue', 'undo'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** The incident events a runbook can fire on. */
export const RUNBOOK_EVENTS = ['opened', 'escalated', 'resolved'] as const;
export type RunbookEvent = (typeof RUNBOOK_EVENTS)[number];

/** The variables templated text may name, `{{incident.target}}`: a fixed set, nothing else. */
export const TEMPLATE_VARIABLES = [
  'incident.id', 'incident.target', 'incident.family', 'incident.subtype', 'incident.severity', 'incident.peak_pps', 'incident.peak_bps',
  'incident.current_pps', 'incident.started_at', 'incident.top_source', 'incident.top_port', 'incident.event',
  'node.id', 'node.name', 'node.ip', 'runbook.id', 'runbook.name', 'execution.id',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What a condition clause may look at: incident fields, and earlier steps' results by index. */
export const CONDITION_FIELDS = ['incident.family', 'incident.subtype', 'incident.severity', 'incident.peak_pps', 'incident.peak_bps', 'incident.current_pps', 'incident.status', 'node.tags'] as const;
export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'contains'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
/** What a condition does when it does not hold: end the run, undo it and end, or skip the next `skip_steps` steps. */
export const CONDITION_ELSE = ['stop', 'undo', 'skip'] as const;

const Template = (max: number, description: string) => MultilineText({ minLength: 1, maxLength: max, description: `${description} (may name {{variables}})` });
const Ident = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description });
const Scalar = Type.Union([Type.String({ maxLength: 200 }), Type.Number()]);

export const CONDITION_FIELD_PATTERN = `^(${CONDITION_FIELDS.map((f) => f.replace('.', '\\.')).join('|')}|steps\\[[0-9]{1,2}\\]\\.(status|output\\.[a-z_]{1,32}))$`;

export const ConditionClause = Type.Object({
  field: Type.String({ pattern: CONDITION_FIELD_PATTERN, allowed: `one of ${CONDITION_FIELDS.join(', ')}, or steps[N].status / steps[N].output.KEY of an earlier step` }),
  op: Type.Enum([...CONDITION_OPS]),
  value: Type.Union([Scalar, Type.Array(Scalar, { maxItems: 50 })]),
}, { additionalProperties: false });
export type ConditionClause = Static<typeof ConditionClause>;

const O = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

/** Each step type's action_config. */
export const STEP_CONFIGS = {
  wait: O({ seconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'How long the run pauses (survives a server restart)' }) }),
  iptables: O({
    rule: Type.Enum([...FIREWALL_COMMAND_TYPES], { description: 'The agent\'s typed firewall command' }),
    params: Type.Record(Type.String({ pattern: '^[a-z_]{1,32}$' }), Scalar, { allowedKeys: 'the rule\'s parameters (address, prefix, protocol, port, pps)', description: 'The command\'s parameters; strings may name {{variables}}' }),
    ttl: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 600, description: 'Seconds until the node removes the rule' })),
  }),
  notify_channel: O({
    channel_id: Type.String({ minLength: 1, maxLength: 64, description: 'A notification channel of this workspace' }),
    message: Type.Optional(Template(2000, 'Text added to the notification')),
  }),
  webhook: O({
    url: Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://', allowed: 'an http:// or https:// URL ({{variables}} are URL-encoded)' }),
    method: Type.Optional(Type.Enum(['POST', 'PUT'], { default: 'POST' })),
    payload: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Type.String({ maxLength: 2000 }), { allowedKeys: 'field names of letters, digits, _ . -', description: 'JSON fields sent; values may name {{variables}} (rendered as JSON strings)' })),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256, echo: false, description: 'Signs the body (X-Breakwater-Signature, HMAC-SHA256); masked on read' })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000, default: 5000 })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, default: 2 })),
  }),
  cloudflare_uam: O({ integration_id: Type.String({ minLength: 1, maxLength: 64, description: 'A cloudflare_waf scrubbing integration (its zone goes to Under Attack Mode, and back on undo)' }) }),
  scrubbing_enable: O({
    integration_id: Type.String({ minLength: 1, maxLength: 64, description: 'A scrubbing integration of this workspace' }),
    ttl: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400, description: 'Seconds (the escalation policy\'s default otherwise)' })),
  }),
  log: O({
    message: Template(2000, 'Written to the execution log'),
    level: Type.Optional(Type.Enum(['info', 'warn', 'error'], { default: 'info' })),
  }),
  condition: O({
    when: Type.Array(ConditionClause, { minItems: 1, maxItems: 10 }),
    match: Type.Optional(Type.Enum(['all', 'any'], { default: 'all' })),
    else: Type.Optional(Type.Enum([...CONDITION_ELSE], { default: 'stop', description: 'When it does not hold: stop (the rest does not run), undo, or skip the next skip_steps steps' })),
    skip_steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 1 })),
  }),
} as const satisfies Record<StepType, TSchema>;
export type StepConfig<T extends StepType> = Static<(typeof STEP_CONFIGS)[T]>;

export const RunbookStep = Type.Object({
  action_type: Type.Enum([...STEP_TYPES]),
  action_config: Type.Record(Type.String(), Type.Unknown(), { description: 'The step type\'s settings (see each type)' }),
  name: Type.Optional(SafeText({ maxLength: 100 })),
  on_failure: Type.Optional(Type.Enum([...ON_FAILURE], { default: 'stop' })),
}, { additionalProperties: false });
export type RunbookStep = Static<typeof RunbookStep>;

export const TriggerConditions = Type.Object({
  attack_families: Type.Optional(Type.Array(Ident('attack family, e.g. udp_flood'), { maxItems: 20 })),
  attack_subtypes: Type.Optional(Type.Array(Ident('attack subtype, e.g. ntp_amplification'), { maxItems: 50 })),
  min_severity: Type.Optional(Type.Enum([...SEVERITIES])),
  min_pps: Type.Optional(Type.Integer({ minimum: 0 })),
  min_bps: Type.Optional(Type.Integer({ minimum: 0 })),
  nodes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500, description: 'Node UUIDs' })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
  events: Type.Optional(Type.Array(Type.Enum([...RUNBOOK_EVENTS]), { minItems: 1, maxItems: 3, default: ['opened'] })),
}, { additionalProperties: false });
export type TriggerConditions = Static<typeof TriggerConditions>;

export const RunbookBody = Type.Object({
  name: SafeText({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(MultilineText({ maxLength: 2000 })),
  trigger_conditions: TriggerConditions,
  steps: Type.Array(RunbookStep, { minItems: 1, maxItems: 50 }),
  /** Undo the run's external effects when the incident resolves (default true). */
  undo_on_resolve: Type.Optional(Type.Boolean({ default: true })),
  active: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });
export type RunbookBody = Static<typeof RunbookBody>;

export const RunbookPatch = Type.Partial(RunbookBody, { additionalProperties: false });
export type RunbookPatch = Static<typeof RunbookPatch>;

const NullableStr = Type.Union([Type.String(), Type.Null()]);

export const RunbookInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  trigger_conditions: TriggerConditions,
  steps: Type.Array(RunbookStep, { description: 'Webhook secrets masked (****)' }),
  undo_on_resolve: Type.Boolean(),
  active: Type.Boolean(),
  execution_count: Type.Integer(),
  success_count: Type.Integer(),
  failure_count: Type.Integer(),
  last_executed_at: NullableStr,
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type RunbookInfo = Static<typeof RunbookInfo>;

export const STEP_STATUSES = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'dry_run'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const EXECUTION_STATUSES = ['running', 'succeeded', 'failed', 'stopped', 'undone'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const StepResultInfo = Type.Object({
  index: Type.Integer(),
  action_type: Type.String(),
  name: NullableStr,
  status: Type.String({ description: STEP_STATUSES.join(' | ') }),
  output: Type.Unknown({ description: 'What the step did or found (no secret)' }),
  error: NullableStr,
  attempts: Type.Integer(),
  started_at: NullableStr,
  finished_at: NullableStr,
  duration_ms: Type.Union([Type.Integer(), Type.Null()]),
});
export type StepResultInfo = Static<typeof StepResultInfo>;

export const EffectInfo = Type.Object({
  step: Type.Integer(),
  kind: Type.String({ description: 'firewall_rule | scrubbing | cloudflare_uam' }),
  ref: Type.String({ description: 'The rule id, or the integration id' }),
  owner: Type.String({ description: 'runbook:<runbook id>:<execution id>' }),
  undone_at: NullableStr,
  undo_error: NullableStr,
});

export const ExecutionInfo = Type.Object({
  id: Type.String(),
  runbook_id: Type.String(),
  runbook_name: Type.String(),
  trigger: Type.String({ description: 'incident | test' }),
  event: NullableStr,
  incident_id: NullableStr,
  node_id: NullableStr,
  dry_run: Type.Boolean(),
  status: Type.String({ description: EXECUTION_STATUSES.join(' | ') }),
  current_step: Type.Integer(),
  error: NullableStr,
  started_at: Type.String(),
  finished_at: NullableStr,
  steps: Type.Array(StepResultInfo),
  effects: Type.Array(EffectInfo),
  log: Type.Array(Type.Object({ at: Type.String(), level: Type.String(), message: Type.String() })),
});
export type ExecutionInfo = Static<typeof ExecutionInfo>;

export const RunbookTestBody = Type.Object({
  node: Type.Optional(Type.String({ maxLength: 64, description: 'Node UUID to run against (a synthetic context when omitted)' })),
  dry_run: Type.Optional(Type.Boolean({ default: true, description: 'Side-effecting steps are only recorded unless false' })),
}, { additionalProperties: false });
export type RunbookTestBody = Static<typeof RunbookTestBody>;

export const ExecutionsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false });
