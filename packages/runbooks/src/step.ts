// One interface for the eight step types: a params schema (contracts' STEP_CONFIGS), a check at
// save time beyond the schema (templates, rendered rule params), run(ctx) and, where the effect
// is outside Breakwater, undo(effect). What a step touches comes in through StepEffects: the
// server implements them (agent commands, alert outbox, scrubbing service); this package never
// reaches the database, and the outside only through @breakwater/outbound.
import type { FirewallCommandType, OutboundReach, StepConfig, StepStatus, StepType } from '@breakwater/contracts';
import type { FetchLike } from '@breakwater/outbound';
import type { TemplateVars } from './template.ts';

export type EffectKind = 'firewall_rule' | 'scrubbing' | 'cloudflare_uam';

/** An external effect a step made, recorded with the execution so it can be undone. */
export interface Effect {
  step: number;
  kind: EffectKind;
  /** The mitigation rule id, or the scrubbing integration id. */
  ref: string;
}

/** What the engine gives steps to act with; every call is owned by the execution. */
export interface StepEffects {
  /** Queues the agent's typed firewall command; the result's status is the stored rule's (refused when allowlisted). */
  firewall(r: { rule: FirewallCommandType; params: Record<string, string | number>; ttlSeconds: number }): Promise<{ ref: string; status: string; error: string | null }>;
  undoFirewall(ref: string): Promise<void>;
  notify(r: { channelId: string; message: string | null; stepIndex: number }): Promise<{ delivery: string; queued: boolean }>;
  scrubbing(r: { integrationId: string; ttlSeconds?: number; uam: boolean }): Promise<{ ref: string; state: string; error: string | null }>;
  undoScrubbing(integrationId: string): Promise<void>;
  /** The node's packets per second now (its latest samples), or null when unknown. */
  currentPps(): Promise<number | null>;
  /** Outbound for the webhook step: the grants from the server's config, and a fetch tests may wrap. */
  outbound: { reach: readonly OutboundReach[]; fetch?: FetchLike; userAgent?: string };
}

/** An earlier step's outcome, as conditions see it. */
export interface PriorResult {
  status: StepStatus;
  output: Record<string, unknown>;
}

export interface StepContext<T extends StepType = StepType> {
  index: number;
  config: StepConfig<T>;
  vars: TemplateVars;
  /** Incident facts for conditions (family, severity, peaks…). */
  facts: Readonly<Record<string, string | number | string[] | null>>;
  results: readonly PriorResult[];
  /** What this step stored before the run was interrupted (a wait's end time). */
  previous: Record<string, unknown> | null;
  dryRun: boolean;
  executionId: string;
  now(): number;
  effects: StepEffects;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Aborted when the server stops. */
  signal?: AbortSignal;
}

/** What the run does next, besides going to the next step. */
export type Flow = { kind: 'next' } | { kind: 'stop' } | { kind: 'undo' } | { kind: 'skip'; steps: number };

export interface StepOutcome {
  status: Extract<StepStatus, 'succeeded' | 'failed' | 'waiting' | 'dry_run' | 'skipped'>;
  output: Record<string, unknown>;
  error?: string;
  effect?: Omit<Effect, 'step'>;
  /** Waiting: run again at this time. */
  resumeAt?: number;
  flow?: Flow;
  attempts?: number;
}

export interface StepDef<T extends StepType = StepType> {
  type: T;
  /** Calls outside Breakwater (or changes a node): recorded only in a dry run. */
  sideEffect: boolean;
  /** Problems the schema cannot see, as [key under action_config, message]. */
  check(config: StepConfig<T>): Array<[string, string]>;
  run(ctx: StepContext<T>): Promise<StepOutcome>;
  undo?(effect: Effect, effects: StepEffects): Promise<void>;
}

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500);
