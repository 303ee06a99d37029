// The states a stored rule, incident, command or adapter can be in: what the server writes, the
// API shows and the dashboard filters on. `as const` lists (erasable syntax: no TS enums) with
// their union types; schemas use them through Type.Enum.

export const INCIDENT_STATUSES = ['active', 'resolved', 'false_positive'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * A mitigation rule: `pending` until its speaker (or the node, for firewall rules) has it,
 * `withdrawing` until the speaker agrees it is gone; `refused` never reached a speaker (policy,
 * allowlist, capability or cap); `dry_run` was recorded only.
 */
export const RULE_STATUSES = ['pending', 'active', 'withdrawing', 'withdrawn', 'expired', 'failed', 'dry_run', 'refused'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];
/** Rules something may still be on a speaker or node for. */
export const LIVE_RULE_STATUSES = ['pending', 'active', 'withdrawing', 'dry_run'] as const satisfies readonly RuleStatus[];

/**
 * An agent command: `pending` until the agent acknowledges it, then what the agent reports
 * (`applied`, `failed`, `rejected`, or `released` when its failsafe took the rule back). Agents in
 * the field may acknowledge with other words: those are stored as sent. `expired` is shown for a
 * command still pending when its delivery window ended (its agent would refuse it now).
 */
export const COMMAND_STATUSES = ['pending', 'applied', 'failed', 'rejected', 'released', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** A mitigation adapter's health from its last test or operation. */
export const ADAPTER_STATUSES = ['unknown', 'up', 'down'] as const;
export type AdapterStatus = (typeof ADAPTER_STATUSES)[number];
