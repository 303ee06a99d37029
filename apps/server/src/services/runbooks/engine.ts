// The durable runbook engine. An incident event starts one execution per matching runbook (the
// execution's dedup key — runbook, incident, event — makes that once, across servers); each
// execution carries its own copy of the steps, its position, every step's result and the external
// effects it made, all in the database. A tick claims due executions (a lease, so one server runs
// each) and advances them step by step, writing after every step: a server stopped mid-run resumes
// at the step it was on, and a wait continues for its remaining time on the injected clock.
import { randomUUID } from 'node:crypto';
import type { RunbookEvent, RunbookStep, StepStatus, TriggerConditions } from '@breakwater/contracts';
import { fromJson, incidents, nodes, runbooks as repo, type ExecutionRow, type IncidentRow, type NodeRow, type RunbookRow } from '@breakwater/db';
import { message, STEPS, triggerMatches, type Effect, type PriorResult, type StepOutcome } from '@breakwater/runbooks';
import { FencedOut } from '../../cluster/lease-turn.ts';
import type { IncidentChange } from '../mitigation/auto-mitigator.ts';
import { factsOf, varsOf } from './run-context.ts';
import { ownerOf, stepEffects, type EffectDeps } from './step-effects.ts';

export interface RunbookEngineDeps extends EffectDeps {
  onError: (err: unknown) => void;
  /** How often due executions are looked for (a wait ends within this). */
  tickMs?: number;
  /** How long a claimed execution is this server's before another may take it over. */
  leaseMs?: number;
}

export interface StepRecord {
  index: number; action_type: string; name: string | null; status: StepStatus; output: Record<string, unknown>; error: string | null;
  attempts: number; started_at: number | null; finished_at: number | null;
}
export interface EffectRecord extends Effect { owner: string; undone_at: number | null; undo_error: string | null }
export interface LogLine { at: number; level: string; message: string }

/** How long an incident may stay unnamed and without sources before 'opened' runbooks run anyway (at its next update). */
export const ATTRIBUTION_WAIT_MS = 3000;

/** Named (a family other than unknown) or attributed (top sources known), or unnamed for longer than the wait. */
export function attributed(incident: IncidentRow, now: number): boolean {
  if (incident.attack_family !== 'unknown') return true;
  if (fromJson<unknown[]>(incident.top_src_ips, []).length > 0) return true;
  return now - incident.started_at >= ATTRIBUTION_WAIT_MS;
}

const EVENT_OF: Partial<Record<IncidentChange, RunbookEvent>> = { 'incident.opened': 'opened', 'incident.updated': 'opened', 'incident.escalated': 'escalated', 'incident.resolved': 'resolved' };

export class RunbookEngine {
  readonly #d: RunbookEngineDeps;
  readonly #id = randomUUID();
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #again = false;
  #stopped = true;
  /** Incident events being handled (tests wait on them). */
  readonly #handling = new Set<Promise<void>>();

  constructor(deps: RunbookEngineDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all([...this.#handling]);
    await this.#ticking;
  }

  /** Runs a tick now (new executions start at once instead of at the next tick). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#schedule(0);
  }

  /** Waits until no event is being handled and no execution is due now (tests). */
  async idle(): Promise<void> {
    for (;;) {
      await Promise.all([...this.#handling]);
      await this.#ticking;
      const next = await repo.nextDue(this.#d.db);
      if (this.#handling.size === 0 && !this.#ticking && (next === null || next > this.#d.clock.now())) return;
      this.kick();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      this.#ticking = this.tick().catch(this.#d.onError).finally(() => {
        this.#ticking = null;
        if (this.#stopped) return;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : this.#d.tickMs ?? 250);
      });
    }, ms);
  }

  /** Called for every incident event, in the background of the agent's report. */
  handle(event: IncidentChange, incident: IncidentRow, node: NodeRow): Promise<void> {
    const work = this.#handle(event, incident, node).catch(this.#d.onError);
    this.#handling.add(work);
    void work.finally(() => this.#handling.delete(work));
    return work;
  }

  async #handle(change: IncidentChange, incident: IncidentRow, node: NodeRow): Promise<void> {
    const event = EVENT_OF[change];
    if (!event) return;
    if (change === 'incident.resolved') await this.#incidentResolved(incident);
    if (change === 'incident.updated' && incident.status !== 'active') return;
    // A fast-opened incident is named and attributed a tick or two later (its first update): an
    // 'opened' runbook waits for that, so its templates see the family and the top source.
    if (event === 'opened' && !attributed(incident, this.#d.clock.now())) return;
    const facts = { family: incident.attack_family, subtype: incident.attack_subtype, severity: incident.severity, peak_pps: incident.peak_pps, peak_bps: incident.peak_bps, node_uuid: node.uuid, node_tags: fromJson<string[]>(node.tags, []) };
    let started = 0;
    for (const rb of await repo.activeRunbooks(this.#d.db, incident.workspace_id)) {
      if (!triggerMatches(fromJson<TriggerConditions>(rb.trigger_conditions, {}), event, facts)) continue;
      if (await this.#create(rb, { trigger: 'incident', event, incident, node, dryRun: false, dedup: `${rb.id}:${incident.uuid}:${event}` })) started++;
    }
    if (started > 0) this.kick();
  }

  /** A manual test run: against a node (its latest incident context, if any) or a synthetic context. */
  async test(rb: RunbookRow, node: NodeRow | null, dryRun: boolean): Promise<ExecutionRow> {
    const id = randomUUID();
    await this.#create(rb, { trigger: 'test', event: null, incident: null, node, dryRun, dedup: `test:${id}`, id });
    this.kick();
    return (await repo.getExecution(this.#d.db, id))!;
  }

  async #create(rb: RunbookRow, r: { trigger: string; event: RunbookEvent | null; incident: IncidentRow | null; node: NodeRow | null; dryRun: boolean; dedup: string; id?: string }): Promise<boolean> {
    const now = this.#d.clock.now();
    const steps = fromJson<RunbookStep[]>(rb.steps, []);
    const results: StepRecord[] = steps.map((s, index) => ({ index, action_type: s.action_type, name: s.name ?? null, status: 'pending', output: {}, error: null, attempts: 0, started_at: null, finished_at: null }));
    return repo.insertExecution(this.#d.db, {
      id: r.id ?? randomUUID(), workspace_id: rb.workspace_id, runbook_id: rb.id, runbook_name: rb.name, dedup_key: r.dedup, trigger: r.trigger, event: r.event,
      incident_id: r.incident?.id ?? null, node_id: r.node?.id ?? null, dry_run: r.dryRun ? 1 : 0, status: 'running', current_step: 0, steps: rb.steps,
      undo_on_resolve: r.trigger === 'incident' && r.event !== 'resolved' ? rb.undo_on_resolve : 0, context: '{}', results: JSON.stringify(results), effects: '[]',
      log: '[]', next_run_at: now, lease_until: null, lease_owner: null, error: null, started_at: now, finished_at: null, updated_at: now,
    });
  }

  /** An incident's end: finished runs have their effects undone now; running ones are woken to stop and undo. */
  async #incidentResolved(incident: IncidentRow): Promise<void> {
    for (const ex of await repo.executionsOfIncident(this.#d.db, incident.id)) {
      if (ex.undo_on_resolve !== 1) continue;
      if (ex.status === 'running') await repo.updateExecution(this.#d.db, ex.id, { next_run_at: this.#d.clock.now() });
      else await this.#undoAll(ex, 'incident resolved');
    }
    this.kick();
  }

  async tick(): Promise<void> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const until = now + (this.#d.leaseMs ?? 60_000);
    const ids = await repo.claimDue(db, now, this.#id, until);
    await Promise.all(ids.map((id) => {
      const claim = { owner: this.#id, until };
      return this.#advance(id, claim).catch(this.#d.onError).finally(() => repo.releaseLease(db, id, claim).catch(this.#d.onError));
    }));
  }

  /**
   * Runs an execution's steps under this engine's claim. Each save is fenced by the claim: an
   * engine that paused past it while another claimed the execution is refused (FencedOut) and stops.
   */
  async #advance(id: string, claim: repo.ExecutionClaim): Promise<void> {
    const { db, clock } = this.#d;
    const ex = await repo.getExecution(db, id);
    if (!ex || ex.status !== 'running') return;
    const steps = fromJson<RunbookStep[]>(ex.steps, []);
    const results = fromJson<StepRecord[]>(ex.results, []);
    const effects = fromJson<EffectRecord[]>(ex.effects, []);
    const log = fromJson<LogLine[]>(ex.log, []);
    const scope = { workspaceId: ex.workspace_id, runbookId: ex.runbook_id, runbookName: ex.runbook_name, executionId: ex.id, event: ex.event };
    const save = async (patch: Partial<ExecutionRow>) => {
      const next = clock.now() + (this.#d.leaseMs ?? 60_000);
      const kept = await repo.saveClaimed(db, id, claim, next, {
        results: JSON.stringify(results), effects: JSON.stringify(effects), log: JSON.stringify(log.slice(-500)), updated_at: clock.now(), ...patch,
      });
      if (!kept) throw new FencedOut(`runbook execution ${id}`);
      claim.until = next;
    };
    const finish = async (status: string, error: string | null) => {
      if (status === 'undone') await this.#undoEffects(effects, scope, null, null);
      await save({ status, error, next_run_at: null, finished_at: clock.now() });
    };

    let i = ex.current_step;
    while (i < steps.length && !this.#stopped) {
      const node = ex.node_id === null ? null : (await nodes.getNodeRow(db, ex.node_id)) ?? null;
      const incident = ex.incident_id === null ? null : (await incidents.getIncidentRow(db, ex.incident_id)) ?? null;
      if (ex.undo_on_resolve === 1 && incident && incident.status !== 'active') {
        log.push({ at: clock.now(), level: 'info', message: `incident ${incident.status}: the run stops at step ${i} and its effects are undone` });
        for (const r of results.slice(i)) if (r.status === 'pending' || r.status === 'waiting') r.status = 'skipped';
        // Not a failure: the attack is over before the run was; what it did is taken back.
        await this.#undoEffects(effects, scope, incident, node);
        await save({ status: 'stopped', error: `incident ${incident.status} before the run ended`, next_run_at: null, finished_at: clock.now() });
        return;
      }
      const step = steps[i]!;
      const rec = results[i]!;
      const prior = effects.find((e) => e.step === i);
      let out: StepOutcome;
      if (prior && rec.status === 'running') {
        // Interrupted after its effect was recorded: the effect is there, do not make it twice.
        out = { status: 'succeeded', output: { ...rec.output, resumed: true } };
      } else {
        if (rec.status === 'pending') {
          rec.status = 'running';
          rec.started_at = clock.now();
          await save({ current_step: i });
        }
        rec.attempts += 1;
        const def = STEPS[step.action_type];
        const ctx = {
          index: i, config: step.action_config as never, previous: rec.output, dryRun: ex.dry_run === 1 && def.sideEffect, executionId: ex.id,
          vars: varsOf(incident, node, { ...scope, event: ex.event }), facts: factsOf(incident, node),
          results: results.map((r): PriorResult => ({ status: r.status, output: r.output })),
          now: () => clock.now(), effects: stepEffects(this.#d, { ...scope, incident, node }),
          log: (level: string, message: string) => log.push({ at: clock.now(), level, message: message.slice(0, 2000) }),
        };
        try {
          out = await def.run(ctx);
        } catch (err) {
          out = { status: 'failed', output: rec.output, error: message(err) };
        }
      }
      rec.output = out.output;
      rec.error = out.error ?? null;
      if (out.attempts) rec.attempts = out.attempts;
      if (out.effect && !prior) effects.push({ ...out.effect, step: i, owner: ownerOf(scope), undone_at: null, undo_error: null });
      if (out.status === 'waiting') {
        rec.status = 'waiting';
        await save({ current_step: i, next_run_at: out.resumeAt ?? clock.now() });
        return;
      }
      rec.status = out.status;
      rec.finished_at = clock.now();
      if (out.status === 'failed') {
        const policy = step.on_failure ?? 'stop';
        log.push({ at: clock.now(), level: 'error', message: `step ${i} (${step.action_type}) failed: ${rec.error ?? 'failed'}; on_failure ${policy}` });
        if (policy !== 'continue') {
          for (const r of results.slice(i + 1)) r.status = 'skipped';
          await finish(policy === 'undo' ? 'undone' : 'failed', `step ${i} (${step.action_type}): ${rec.error ?? 'failed'}`);
          return;
        }
      }
      const flow = out.flow ?? { kind: 'next' };
      if (flow.kind === 'stop' || flow.kind === 'undo') {
        for (const r of results.slice(i + 1)) r.status = 'skipped';
        log.push({ at: clock.now(), level: 'info', message: `step ${i} (condition) did not hold: ${flow.kind}` });
        await finish(flow.kind === 'undo' ? 'undone' : 'stopped', null);
        return;
      }
      const skip = flow.kind === 'skip' ? flow.steps : 0;
      for (const r of results.slice(i + 1, i + 1 + skip)) r.status = 'skipped';
      i += 1 + skip;
      await save({ current_step: Math.min(i, steps.length) });
    }
    if (this.#stopped) return;
    const failed = results.some((r) => r.status === 'failed');
    await finish(failed ? 'failed' : 'succeeded', failed ? 'a step failed (on_failure: continue)' : null);
  }

  async #undoAll(ex: ExecutionRow, why: string): Promise<void> {
    const effects = fromJson<EffectRecord[]>(ex.effects, []);
    if (!effects.some((e) => e.undone_at === null)) return;
    const node = ex.node_id === null ? null : (await nodes.getNodeRow(this.#d.db, ex.node_id)) ?? null;
    const incident = ex.incident_id === null ? null : (await incidents.getIncidentRow(this.#d.db, ex.incident_id)) ?? null;
    const log = fromJson<LogLine[]>(ex.log, []);
    log.push({ at: this.#d.clock.now(), level: 'info', message: `${why}: undoing the run's effects` });
    await this.#undoEffects(effects, { workspaceId: ex.workspace_id, runbookId: ex.runbook_id, runbookName: ex.runbook_name, executionId: ex.id, event: ex.event }, incident, node);
    await repo.updateExecution(this.#d.db, ex.id, { effects: JSON.stringify(effects), log: JSON.stringify(log.slice(-500)), updated_at: this.#d.clock.now() });
  }

  /** Undoes each effect not yet undone, newest first; a failure is recorded on the effect and the rest go on. */
  async #undoEffects(effects: EffectRecord[], scope: { workspaceId: string; runbookId: string; runbookName: string; executionId: string; event: string | null }, incident: IncidentRow | null, node: NodeRow | null): Promise<void> {
    const fx = stepEffects(this.#d, { ...scope, incident, node });
    for (const e of [...effects].reverse()) {
      if (e.undone_at !== null) continue;
      try {
        if (e.kind === 'firewall_rule') await fx.undoFirewall(e.ref);
        else await fx.undoScrubbing(e.ref);
        e.undone_at = this.#d.clock.now();
        e.undo_error = null;
      } catch (err) {
        e.undo_error = message(err);
      }
    }
  }
}
