// Diversions from request to return. The database holds what should be diverted; this service
// makes each provider match it: enable, follow the provider's status (requested → propagating →
// diverting → withdrawing → idle) by polling, end diversions on their TTL or their incident's
// hold-down, never flap faster than the provider can follow, and reconcile with each provider's
// real state when it starts (a restart in the middle of a diversion). Every step is written to the
// diversion's row and the integration's history before the next one.
import { randomUUID } from 'node:crypto';
import { parsePrefix, prefixesOverlap, type ScrubbingStatus } from '@breakwater/contracts';
import { scrubbing as repo, type Db, type DiversionRow, type IncidentRow, type NodeRow, type ScrubbingIntegrationRow } from '@breakwater/db';
import { healthOf, ScrubbingError, type ScrubbingProvider } from '@breakwater/scrubbing';
import type { Clock } from '../../clock.ts';
import { LeaseTurn } from '../../cluster/lease-turn.ts';
import type { LeaseGate } from '../../cluster/leases.ts';
import type { LiveBus } from '../live/live-bus.ts';
import { earliestWithdrawAt, reannounceRefusal, withdrawWait } from './flap-guard.ts';
import type { ProviderPool } from './provider-pool.ts';
import { TickLoop } from '../../tick-loop.ts';

export interface ScrubbingServiceOptions {
  /** How often due diversions are ended, retried and polled. */
  tickMs: number;
  /** How often a diversion on its way (or on) is asked about at the provider. */
  pollMs: number;
  /** How often every open diversion is compared with its provider's state (and once at start). */
  reconcileMs: number;
  /** Enable attempts before a diversion is marked failed. */
  maxAttempts: number;
}

export interface ScrubbingServiceDeps extends ScrubbingServiceOptions {
  /** With several replicas, the lease this timer runs under (absent: always runs). */
  gate?: LeaseGate;
  db: Db;
  clock: Clock;
  pool: ProviderPool;
  onError: (err: unknown) => void;
  /** Told of every change after it is stored (the dashboard's live stream). */
  live?: LiveBus;
}

export interface NewDiversion {
  workspaceId: string;
  integration: ScrubbingIntegrationRow;
  /** The attacked address or prefix; the integration's target covering it is what is diverted. */
  address: string | null;
  ownerKind: 'user' | 'policy' | 'runbook';
  owner: string;
  reason: string;
  /** Seconds until it is withdrawn. */
  ttlSeconds: number;
  incident: IncidentRow | null;
  node: NodeRow | null;
  tier: string | null;
  dryRun: boolean;
  /** Prefixes and addresses never diverted. */
  allowlist: readonly string[];
  /** The hold-down after a withdrawal before the same target may be announced again. */
  holdDownSeconds: number;
}

/** A request the service refuses before anything is stored (the API answers 400 naming the key). */
export class DiversionInputError extends Error {}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const ON = ['requested', 'propagating', 'diverting', 'failed'];
const RANK: Record<string, number> = { requested: 1, propagating: 2, diverting: 4, withdrawing: 3, dry_run: 0 };

/** The most advanced state among open diversions (the integration's summary), idle when none. */
export function summaryState(active: readonly Pick<DiversionRow, 'state'>[]): string {
  let best = 'idle';
  for (const d of active) if ((RANK[d.state] ?? -1) > (RANK[best] ?? -1)) best = d.state;
  return best;
}

export class ScrubbingService {
  readonly #d: ScrubbingServiceDeps;
  #lastReconcile = 0;
  readonly #loop: TickLoop;
  /** The lease this timer runs under: checks, and its state changes fenced by the lease's token. */
  readonly #turn: LeaseTurn;

  constructor(deps: ScrubbingServiceDeps) {
    this.#d = deps;
    // A new holder reconciles at once: the last one may have died mid-way.
    this.#turn = new LeaseTurn({ gate: deps.gate, db: deps.db, what: 'scrubbing', onError: deps.onError, onTakeover: () => (this.#lastReconcile = 0) });
    this.#loop = new TickLoop(() => this.tick(), deps.tickMs, deps.onError);
  }

  get pool(): ProviderPool {
    return this.#d.pool;
  }

  start(): void {
    this.#lastReconcile = 0; // reconcile at once: the providers may have moved while we were down
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#d.pool.stop();
  }

  async #event(d: Pick<DiversionRow, 'workspace_id' | 'integration_id' | 'id'> | null, integration: Pick<ScrubbingIntegrationRow, 'workspace_id' | 'id'>, event: string, from: string | null, to: string | null, actor: string, msg: string): Promise<void> {
    const row = {
      workspace_id: integration.workspace_id, integration_id: integration.id, diversion_id: d?.id ?? null, event, from_state: from, to_state: to, actor, message: msg, at: this.#d.clock.now(),
    };
    await this.#turn.write((w) => repo.appendEvent(w, row));
    this.#d.live?.publish(integration.workspace_id, { type: 'scrubbing.changed', integration_id: integration.id, diversion_id: d?.id ?? null });
  }

  /** Records an event of an integration (routes: created, updated, tested). */
  recordEvent(integration: ScrubbingIntegrationRow, event: string, actor: string, msg: string): Promise<void> {
    return this.#event(null, integration, event, null, null, actor, msg);
  }

  async #health(integration: ScrubbingIntegrationRow, err: unknown): Promise<void> {
    const status = err === null ? 'ok' : healthOf(err);
    const last_error = err === null ? null : message(err);
    if (integration.status === status && integration.last_error === last_error) return;
    integration.status = status;
    integration.last_error = last_error;
    await repo.setIntegrationHealth(this.#d.db, integration.id, { status, last_error });
  }

  /** The integration's target for an address: the covering prefix, zone or resource; a 400 when it has none. */
  resolveTarget(provider: ScrubbingProvider, integration: ScrubbingIntegrationRow, address: string | null): string {
    if (address === null) {
      const all = provider.targets();
      if (all.length === 1) return all[0]!;
      throw new DiversionInputError(`target: required: ${integration.name} protects ${all.length} targets (${all.slice(0, 5).join(', ')}${all.length > 5 ? ', …' : ''})`);
    }
    const t = provider.targetFor(address);
    if (t === null) throw new DiversionInputError(`target: ${address} is not covered by ${integration.name} (it protects ${provider.targets().slice(0, 5).join(', ') || 'nothing'})`);
    return t;
  }

  /**
   * Stores a diversion and, unless refused or a dry run, asks the provider for it. Asking again for
   * a target already diverted (or on its way) returns that diversion: one per target.
   */
  async announce(n: NewDiversion): Promise<DiversionRow> {
    const { db, clock, pool } = this.#d;
    const provider = pool.build(n.integration);
    const target = this.resolveTarget(provider, n.integration, n.address);
    const existing = await repo.activeDiversionFor(db, n.integration.id, target);
    if (existing && existing.state !== 'withdrawing' && (existing.state === 'dry_run') === n.dryRun) return existing;
    const now = clock.now();
    let refused: string | null = null;
    if (!n.integration.enabled) refused = `integration ${n.integration.name} is disabled`;
    refused ??= allowlisted([target, n.address].filter((x): x is string => !!x), n.allowlist);
    if (!refused && !n.dryRun) refused = reannounceRefusal(existing ?? (await repo.lastEndedFor(db, n.integration.id, target)), now, n.holdDownSeconds);
    const row: DiversionRow = {
      id: randomUUID(), workspace_id: n.workspaceId, integration_id: n.integration.id, target,
      state: refused ? 'refused' : n.dryRun ? 'dry_run' : 'requested', dry_run: n.dryRun ? 1 : 0, owner_kind: n.ownerKind, owner: n.owner, reason: n.reason,
      incident_id: n.incident?.id ?? null, node_id: n.node?.id ?? null, tier: n.tier, ttl_seconds: n.ttlSeconds,
      expires_at: n.ttlSeconds > 0 ? now + n.ttlSeconds * 1000 : null, withdraw_after: null,
      earliest_withdraw_at: earliestWithdrawAt(now, provider.capabilities), idempotency_key: `bw-${randomUUID()}`, attempts: 0,
      error: refused, detail: null, requested_at: now, propagating_at: null, diverting_at: null, withdrawing_at: null,
      ended_at: refused ? now : null, ended_by: refused ? 'system' : null, end_reason: refused, next_poll_at: null, updated_at: now,
    };
    await repo.insertDiversion(db, row);
    const what = n.dryRun ? 'dry run: recorded, the provider was not called' : refused ? `refused: ${refused}` : `requested: ${n.reason}`;
    await this.#event(row, n.integration, refused ? 'refused' : 'state', null, row.state, n.owner, `${target}: ${what}`);
    if (refused || n.dryRun) return row;
    return this.#enable(row, n.integration);
  }

  async #enable(row: DiversionRow, integration: ScrubbingIntegrationRow): Promise<DiversionRow> {
    const { clock, pool } = this.#d;
    const attempts = row.attempts + 1;
    let status: ScrubbingStatus;
    try {
      status = await pool.run(integration, (p) => p.enable(row.target, row.reason.slice(0, 200), row.idempotency_key));
    } catch (err) {
      await this.#health(integration, err);
      const failed = !(err instanceof ScrubbingError && err.retryable) || attempts >= this.#d.maxAttempts;
      const wait = err instanceof ScrubbingError && err.retryAfterMs !== undefined ? err.retryAfterMs : this.#d.pollMs;
      const patch = { state: failed ? 'failed' : 'requested', attempts, error: message(err), next_poll_at: failed ? null : clock.now() + wait, updated_at: clock.now() };
      await this.#turn.write((w) => repo.transitionDiversion(w, row.id, ['requested'], patch));
      await this.#event(row, integration, failed ? 'error' : 'retry', 'requested', patch.state, 'system', `${row.target}: enable ${failed ? 'failed' : 'will be retried'}: ${message(err)}`);
      return { ...row, ...patch };
    }
    await this.#health(integration, null);
    return this.#adopt({ ...row, attempts }, integration, status, 'enable');
  }

  /** Stores what the provider says about a diversion we want on (or off); returns the row as stored. */
  async #adopt(row: DiversionRow, integration: ScrubbingIntegrationRow, s: ScrubbingStatus, via: string): Promise<DiversionRow> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const wantsOff = row.state === 'withdrawing';
    let next: string = row.state;
    if (wantsOff) next = s.state === 'idle' ? 'idle' : 'withdrawing';
    else if (s.state === 'diverting' || s.state === 'propagating' || s.state === 'requested') next = s.state;
    else if (s.state === 'failed') next = 'failed';
    const patch: Partial<DiversionRow> = {
      state: next, detail: s.detail.slice(0, 500), attempts: row.attempts, error: next === 'failed' ? s.detail.slice(0, 500) : null,
      next_poll_at: next === 'idle' || next === 'failed' ? null : now + this.#d.pollMs, updated_at: now,
    };
    if (next === 'propagating' && row.propagating_at === null) patch.propagating_at = now;
    if (next === 'diverting' && row.diverting_at === null) patch.diverting_at = s.since ? Math.min(now, Date.parse(s.since) || now) : now;
    if (next === 'idle') {
      patch.ended_at = now;
      patch.ended_by = row.ended_by ?? 'system';
    }
    if (!(await this.#turn.write((w) => repo.transitionDiversion(w, row.id, [row.state], patch)))) return (await repo.getDiversion(db, row.id)) ?? row;
    if (next !== row.state) await this.#event(row, integration, 'state', row.state, next, 'system', `${row.target}: ${via}: ${s.detail || next}`.slice(0, 500));
    return { ...row, ...patch };
  }

  /**
   * Ends a diversion: withdrawn (by a person, a runbook, the incident's end) or expired (TTL). The
   * flap guard holds a withdraw until the provider's documented time to advertise has passed
   * (force: a person overrides it); the diversion then stays on with withdraw_after set.
   */
  async withdraw(row: DiversionRow, by: string, reason: string, opts: { force?: boolean } = {}): Promise<DiversionRow> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const integration = await repo.getIntegrationById(db, row.integration_id);
    if (row.state === 'dry_run' || row.state === 'refused' || !integration) {
      const patch = { state: row.state === 'refused' ? 'refused' : 'idle', ended_at: row.ended_at ?? now, ended_by: by, end_reason: reason, next_poll_at: null, updated_at: now };
      if (await this.#turn.write((w) => repo.transitionDiversion(w, row.id, [row.state], patch)) && integration) await this.#event(row, integration, 'state', row.state, patch.state, by, `${row.target}: ${reason}`);
      return { ...row, ...patch };
    }
    if (row.state === 'idle' || row.state === 'withdrawing') return row;
    const wait = opts.force ? null : withdrawWait(row, now);
    if (wait !== null) {
      const patch = { withdraw_after: wait, ended_by: by, end_reason: reason, updated_at: now };
      await this.#turn.write((w) => repo.updateDiversion(w, row.id, patch));
      await this.#event(row, integration, 'scheduled', row.state, row.state, by, `${row.target}: withdraw held by the flap guard until ${new Date(wait).toISOString()} (the provider documents ${Math.round((wait - row.requested_at) / 1000)} s to put it in place): ${reason}`);
      return { ...row, ...patch };
    }
    const patch = { state: 'withdrawing', withdrawing_at: now, ended_by: by, end_reason: reason, updated_at: now };
    if (!(await this.#turn.write((w) => repo.transitionDiversion(w, row.id, ON, patch)))) return (await repo.getDiversion(db, row.id)) ?? row;
    await this.#event(row, integration, 'state', row.state, 'withdrawing', by, `${row.target}: ${reason}`);
    return this.#disable({ ...row, ...patch }, integration);
  }

  async #disable(row: DiversionRow, integration: ScrubbingIntegrationRow): Promise<DiversionRow> {
    const { clock, pool } = this.#d;
    try {
      const s = await pool.run(integration, (p) => p.disable(row.target, row.idempotency_key));
      await this.#health(integration, null);
      return await this.#adopt(row, integration, s, 'disable');
    } catch (err) {
      await this.#health(integration, err);
      const wait = err instanceof ScrubbingError && err.retryAfterMs !== undefined ? err.retryAfterMs : this.#d.pollMs;
      const patch = { error: `withdraw failed, will retry: ${message(err)}`, attempts: row.attempts + 1, next_poll_at: clock.now() + wait, updated_at: clock.now() };
      await this.#turn.write((w) => repo.updateDiversion(w, row.id, patch));
      await this.#event(row, integration, 'retry', 'withdrawing', 'withdrawing', 'system', `${row.target}: disable will be retried: ${message(err)}`);
      return { ...row, ...patch };
    }
  }

  /** Diversions of an incident that resolved: withdrawn after the hold-down (at once when it is 0). */
  async incidentResolved(incident: IncidentRow, holdDownSeconds: number): Promise<void> {
    const { db, clock } = this.#d;
    const now = clock.now();
    for (const d of await repo.diversionsOfIncident(db, incident.id)) {
      if (!['requested', 'propagating', 'diverting', 'failed', 'dry_run'].includes(d.state) || d.withdraw_after !== null) continue;
      if (holdDownSeconds === 0) await this.withdraw(d, 'system', 'incident resolved');
      else await repo.updateDiversion(db, d.id, { withdraw_after: now + holdDownSeconds * 1000, end_reason: 'incident resolved (hold-down over)', updated_at: now });
    }
  }

  /** One pass: end what is due, retry what is half-done, poll what is on its way, now and then reconcile. */
  tick(): Promise<void> {
    return this.#turn.pass(() => this.#pass());
  }

  async #pass(): Promise<void> {
    const { db, clock } = this.#d;
    const turn = this.#turn;
    if (!(await turn.mayAct())) return;
    const now = clock.now();
    if (now - this.#lastReconcile >= this.#d.reconcileMs) {
      this.#lastReconcile = now;
      await this.reconcileAll();
    }
    for (const d of await repo.openDiversions(db)) {
      if (!(await turn.mayAct())) return;
      await this.#step(d, now).catch(turn.itemFailed);
    }
  }

  async #step(d: DiversionRow, now: number): Promise<void> {
    const expired = d.expires_at !== null && d.expires_at <= now;
    const held = d.withdraw_after !== null && d.withdraw_after <= now;
    if ((expired || held) && d.state !== 'withdrawing') {
      const reason = expired ? `TTL of ${d.ttl_seconds} s ended` : d.end_reason ?? 'withdraw due';
      await this.withdraw(d, expired ? 'system' : d.ended_by ?? 'system', reason);
      return;
    }
    if (d.state === 'dry_run' || d.next_poll_at === null || d.next_poll_at > now) return;
    const integration = await repo.getIntegrationById(this.#d.db, d.integration_id);
    if (!integration) {
      // Deleted while the provider was still taking it down: nothing left of ours to follow.
      const gone = { state: 'idle', ended_at: now, end_reason: d.end_reason ?? 'integration deleted', next_poll_at: null, updated_at: now };
      await this.#turn.write((w) => repo.transitionDiversion(w, d.id, [d.state], gone));
      return;
    }
    if (d.state === 'requested' && d.error !== null) {
      await this.#enable(d, integration);
      return;
    }
    await this.#poll(d, integration);
  }

  /** Asks the provider about one diversion and stores the answer; a provider that lost a wanted diversion gets it again. */
  async #poll(d: DiversionRow, integration: ScrubbingIntegrationRow): Promise<DiversionRow> {
    const { clock, pool } = this.#d;
    let s: ScrubbingStatus;
    try {
      s = await pool.run(integration, (p) => p.status(d.target));
    } catch (err) {
      await this.#health(integration, err);
      const wait = err instanceof ScrubbingError && err.retryAfterMs !== undefined ? err.retryAfterMs : this.#d.pollMs;
      const later = { next_poll_at: clock.now() + wait, error: `status: ${message(err)}`, updated_at: clock.now() };
      await this.#turn.write((w) => repo.updateDiversion(w, d.id, later));
      return d;
    }
    await this.#health(integration, null);
    if (d.state !== 'withdrawing' && (s.state === 'idle' || s.state === 'withdrawing')) {
      // Wanted on, off (or going off) at the provider — lost while we were down, or undone there by
      // hand: ask again.
      await this.#event(d, integration, 'reconciled', d.state, 'requested', 'system', `${d.target}: the provider reports it ${s.state === 'idle' ? 'not diverted' : 'being withdrawn'}; enabling it again`);
      const patch = { state: 'requested', updated_at: clock.now() };
      if (!(await this.#turn.write((w) => repo.transitionDiversion(w, d.id, [d.state], patch)))) return d;
      return this.#enable({ ...d, ...patch }, integration);
    }
    if (d.state === 'withdrawing' && (s.state === 'diverting' || s.state === 'propagating')) {
      // Still on at the provider although we asked it off (a restart between the two): ask again.
      return this.#disable(d, integration);
    }
    return this.#adopt(d, integration, s, 'status');
  }

  /** Compares every open diversion with its provider's real state (at start, then every reconcileMs). */
  async reconcileAll(): Promise<number> {
    let n = 0;
    const now = this.#d.clock.now();
    for (const d of await repo.openDiversions(this.#d.db)) {
      if (d.state === 'dry_run') continue;
      // A request waiting for its retry (a provider's Retry-After, or the poll interval after a
      // failure) is retried when due by the pass, not sooner: reconciling it would be that retry.
      if (d.state === 'requested' && d.next_poll_at !== null && d.next_poll_at > now) continue;
      const integration = await repo.getIntegrationById(this.#d.db, d.integration_id);
      if (!integration) continue;
      const before = d.state;
      const after = await this.#poll(d, integration).catch((err: unknown) => {
        this.#turn.itemFailed(err);
        return d;
      });
      if (after.state !== before) n++;
    }
    return n;
  }

  /** Asks the provider for one integration's targets now (the status endpoint). */
  async liveStatus(integration: ScrubbingIntegrationRow, targets: readonly string[]): Promise<{ statuses: ScrubbingStatus[]; errors: { target: string; code: string; message: string }[]; latencyMs: number | null }> {
    const statuses: ScrubbingStatus[] = [];
    const errors: { target: string; code: string; message: string }[] = [];
    const started = performance.now();
    let lastErr: unknown = null;
    for (const t of targets) {
      try {
        statuses.push(await this.#d.pool.run(integration, (p) => p.status(t)));
      } catch (err) {
        lastErr = err;
        errors.push({ target: t, code: err instanceof ScrubbingError ? err.code : 'scrubbing_error', message: message(err) });
      }
    }
    if (targets.length > 0) await this.#health(integration, statuses.length > 0 ? null : lastErr);
    return { statuses, errors, latencyMs: targets.length > 0 ? Math.round(performance.now() - started) : null };
  }

  /** Withdraws every open diversion of an integration (before it is deleted); counts those still on. */
  async withdrawAllOf(integration: ScrubbingIntegrationRow, by: string): Promise<{ withdrawn: number; failed: number }> {
    let withdrawn = 0, failed = 0;
    for (const d of await repo.activeDiversionsOf(this.#d.db, integration.id)) {
      const r = await this.withdraw(d, by, `integration ${integration.name} deleted`, { force: true });
      if (r.state === 'idle' || r.state === 'withdrawing' || r.state === 'refused') withdrawn++;
      else failed++;
    }
    return { withdrawn, failed };
  }
}

function allowlisted(targets: readonly string[], allow: readonly string[]): string | null {
  for (const t of targets) {
    const p = parsePrefix(t);
    if (!p) continue;
    for (const entry of allow) {
      const a = parsePrefix(entry);
      if (a && prefixesOverlap(a, p)) return `${t} is covered by allowlist entry ${entry}: allowlisted addresses are never diverted`;
    }
  }
  return null;
}
