// Rules from creation to withdrawal. The database holds what should be on each speaker; this
// service makes the speakers match it: announce, withdraw, expire on time, retry what failed,
// and reconcile after a restart or a speaker's flap. Nothing here is fire-and-forget: every
// step is written to the rule's row (attempts, error, timestamps) before and after it runs.
import { randomUUID } from 'node:crypto';
import { parsePrefix, prefixesOverlap, type FirewallIntent, type RuleSpec } from '@breakwater/contracts';
import { cluster, fromJson, incidents, mitigation as repo, nodes, type AdapterRow, type Db, type DialectName, type IncidentRow, type NodeRow, type RuleRow } from '@breakwater/db';
import { AdapterError, refusal, ruleKey } from '@breakwater/mitigation';
import { retryDelayMs, type RetryPolicy } from '@breakwater/outbound';
import type { Clock } from '../../clock.ts';
import { LeaseTurn } from '../../cluster/lease-turn.ts';
import type { LeaseGate } from '../../cluster/leases.ts';
import type { CommandService } from '../commands/command-service.ts';
import type { LiveBus } from '../live/live-bus.ts';
import type { AdapterPool } from './adapter-pool.ts';
import { readPolicy } from './policy.ts';
import { TickLoop } from '../../tick-loop.ts';

export type Intent = 'blackhole' | 'flowspec' | 'scrubbing' | 'firewall';

export interface NewRule {
  workspaceId: string;
  adapter: AdapterRow | null;
  node: NodeRow | null;
  incident: IncidentRow | null;
  intent: Intent;
  spec: RuleSpec | FirewallIntent;
  owner: string;
  reason: string;
  /** Seconds until it is withdrawn; always set (the policy's max_rule_ttl caps "no expiry"). */
  ttlSeconds: number;
  tier: string | null;
  dryRun: boolean;
  /** Recorded as refused with this reason, never announced (a policy tier that cannot apply). */
  refuse?: string;
}

export interface MitigationServiceDeps {
  /** With several replicas, the lease this timer runs under (absent: always runs). */
  gate?: LeaseGate;
  /** PostgreSQL: a rule's check-then-insert is locked across replicas (two may see one incident). */
  dialect?: DialectName;
  db: Db;
  clock: Clock;
  pool: AdapterPool;
  commands: CommandService;
  live: LiveBus;
  /** Told when a rule for an incident is on a speaker (alerting: incident.mitigated). */
  onMitigated?: (incident: IncidentRow, rule: RuleRow, description: string) => Promise<void>;
  onError: (err: unknown) => void;
  /** How often due rules are withdrawn and half-done ones retried. */
  tickMs: number;
  /** How often every adapter with live rules is compared with what its speaker has. */
  reconcileMs: number;
  /** Attempts at announcing before a rule is marked failed. */
  maxAttempts: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const retryable = (err: unknown) => !(err instanceof AdapterError) || err.retryable;
/** Half-done rules are retried at a steady pace (factor 1, no jitter): the tick already spreads them. */
const halfDoneRetry = (tickMs: number): RetryPolicy => ({ baseMs: Math.max(1000, tickMs * 2), maxMs: Math.max(1000, tickMs * 2), factor: 1, jitter: 0 });

export function describeRule(rule: Pick<RuleRow, 'intent_type' | 'target_ip' | 'spec'>, adapterName: string | null): string {
  const via = adapterName ? ` via ${adapterName}` : ' on the node firewall';
  if (rule.intent_type === 'flowspec') {
    const s = fromJson<{ action?: { type?: string } }>(rule.spec, {});
    return `FlowSpec ${s.action?.type ?? 'rule'} for ${rule.target_ip}${via}`;
  }
  if (rule.intent_type === 'firewall') return `${fromJson<{ type?: string }>(rule.spec, {}).type ?? 'firewall rule'} ${rule.target_ip}${via}`;
  return `BGP ${rule.intent_type} ${rule.target_ip}${via}`;
}

export class MitigationService {
  readonly #d: MitigationServiceDeps;
  #lastReconcile = 0;
  readonly #loop: TickLoop;
  /** The lease this timer runs under: checks, and its state changes fenced by the lease's token. */
  readonly #turn: LeaseTurn;

  constructor(deps: MitigationServiceDeps) {
    this.#d = deps;
    // A new holder reconciles at once: the last one may have died mid-way.
    this.#turn = new LeaseTurn({ gate: deps.gate, db: deps.db, what: 'mitigation', onError: deps.onError, onTakeover: () => (this.#lastReconcile = 0) });
    this.#loop = new TickLoop(() => this.tick(), deps.tickMs, deps.onError);
  }

  start(): void {
    this.#lastReconcile = 0; // reconcile at once: the speakers may have lost everything while we were down
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** Allowlist entries that apply to a node (workspace-wide plus its own). */
  async allowlistFor(workspaceId: string, nodeId: number | null): Promise<string[]> {
    return (await repo.listAllow(this.#d.db, workspaceId, nodeId)).map((a) => a.ip_address);
  }

  /** Stores the rule and, unless it is refused or a dry run, puts it on its speaker. */
  async create(n: NewRule): Promise<RuleRow> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const policy = readPolicy(await repo.getPolicy(db, n.workspaceId));
    const allow = await this.allowlistFor(n.workspaceId, n.node?.id ?? null);
    const isFirewall = n.intent === 'firewall';
    const fw = isFirewall ? (n.spec as FirewallIntent) : null;
    const spec = isFirewall ? null : (n.spec as RuleSpec);
    const key = spec ? ruleKey(spec) : `firewall|${fw!.type}|${JSON.stringify(fw!.params)}`;
    const target = spec ? (spec.kind === 'flowspec' ? spec.match.destination : spec.prefix) : fw!.target;

    let refused: string | null = n.refuse ?? null;
    if (!refused && spec) {
      refused = refusal(spec, allow, { minBlackholeLenV4: policy.min_blackhole_prefix_v4, minBlackholeLenV6: policy.min_blackhole_prefix_v6 });
      if (!refused && spec.kind === 'flowspec' && spec.match.source) refused = allowlistedSource(spec.match.source, allow);
      if (!refused && n.adapter) {
        const caps = fromJson<string[]>(n.adapter.capabilities, []);
        if (!caps.includes(spec.kind)) refused = `adapter ${n.adapter.name} does not carry ${spec.kind} rules (capabilities: ${caps.join(', ') || 'none'})`;
        else if (!n.dryRun && (await repo.countLiveRulesOfAdapter(db, n.adapter.id)) >= n.adapter.max_active_rules) {
          refused = `adapter ${n.adapter.name} already carries its cap of ${n.adapter.max_active_rules} active rules`;
        }
      }
    } else if (!refused && (fw!.type === 'block_source' || fw!.type === 'block_prefix')) {
      refused = allowlistedSource(String(fw!.params.address ?? fw!.params.prefix), allow);
    }

    const row: RuleRow = {
      id: randomUUID(), workspace_id: n.workspaceId, adapter_id: n.adapter?.id ?? null, node_id: n.node?.id ?? null,
      incident_id: n.incident?.id ?? null, intent_type: n.intent, target_ip: target, spec: JSON.stringify(spec ?? fw), rule_key: key,
      status: refused ? 'refused' : n.dryRun ? 'dry_run' : 'pending', dry_run: n.dryRun ? 1 : 0, tier: n.tier, owner: n.owner, reason: n.reason,
      ttl_seconds: n.ttlSeconds, attempts: 0, error: refused, command_id: null, created_at: now, announced_at: null,
      expires_at: now + n.ttlSeconds * 1000, withdraw_after: null, withdrawn_at: null, withdrawn_by: null, withdraw_reason: null, updated_at: now,
    };
    if (n.adapter && !n.dryRun) {
      // The same announcement through the same adapter is one rule, even when two replicas see the
      // same incident at once: the look-up and the insert hold a lock on the key across replicas.
      const adapterId = n.adapter.id;
      const existing = await db.transaction().execute(async (trx) => {
        await cluster.lockKeyForTransaction(trx, this.#d.dialect ?? 'sqlite', `rule|${adapterId}|${key}`);
        const live = await repo.liveRuleByKey(trx, adapterId, key);
        if (!live) await repo.insertRule(trx, row);
        return live;
      });
      if (existing) return existing;
    } else {
      await repo.insertRule(db, row);
    }
    if (refused || n.dryRun) {
      this.#publish(row, refused ? 'mitigation.failed' : 'mitigation.announced');
      return row;
    }
    if (fw) return this.#queueFirewall(row, fw, n.node);
    return this.#announce(row, n.adapter!);
  }

  async #queueFirewall(row: RuleRow, fw: FirewallIntent, node: NodeRow | null): Promise<RuleRow> {
    if (!node) {
      await repo.updateRule(this.#d.db, row.id, { status: 'failed', error: 'a firewall rule needs a node', updated_at: this.#d.clock.now() });
      return { ...row, status: 'failed', error: 'a firewall rule needs a node' };
    }
    const incidentUuid = row.incident_id ? (await this.#incidentUuid(row.incident_id)) : null;
    const params = { ...fw.params, ttl: Math.min(row.ttl_seconds, 7 * 86_400), ...(incidentUuid ? { incident: incidentUuid } : {}) };
    try {
      const cmd = await this.#d.commands.queue(node, fw.type, params, row.owner);
      const now = this.#d.clock.now();
      const patch = { status: 'active', command_id: cmd.id, announced_at: now, attempts: 1, updated_at: now };
      await repo.updateRule(this.#d.db, row.id, patch);
      const done = { ...row, ...patch };
      this.#publish(done, 'mitigation.announced');
      return done;
    } catch (err) {
      const patch = { status: 'failed', error: message(err), attempts: 1, updated_at: this.#d.clock.now() };
      await repo.updateRule(this.#d.db, row.id, patch);
      return { ...row, ...patch };
    }
  }

  async #incidentUuid(id: number): Promise<string | null> {
    return (await incidents.getIncidentRow(this.#d.db, id))?.uuid ?? null;
  }

  /**
   * `onSpeaker`: the speaker already holds the route (a replica died between announcing it and
   * recording it): it is recorded as announced without a second announcement to the peers.
   */
  async #announce(row: RuleRow, adapter: AdapterRow, onSpeaker = false): Promise<RuleRow> {
    const { db, clock, pool } = this.#d;
    const spec = fromJson<RuleSpec>(row.spec, null as unknown as RuleSpec);
    const attempts = row.attempts + 1;
    try {
      if (!onSpeaker) await pool.run(adapter, (a) => a.announce({ id: row.id, spec }));
    } catch (err) {
      const failed = !retryable(err) || attempts >= this.#d.maxAttempts;
      const patch = { status: failed ? 'failed' : 'pending', attempts, error: message(err), updated_at: clock.now() };
      await this.#turn.write((w) => repo.transitionRule(w, row.id, ['pending'], patch));
      await this.#adapterHealth(adapter, message(err));
      if (failed) this.#publish({ ...row, ...patch }, 'mitigation.failed');
      return { ...row, ...patch };
    }
    const now = clock.now();
    const patch = { status: 'active', attempts, error: null, announced_at: now, updated_at: now };
    const moved = await this.#turn.write((w) => repo.transitionRule(w, row.id, ['pending'], patch));
    await this.#adapterHealth(adapter, null);
    if (!moved) {
      // Withdrawn while it was being announced: take it back down.
      const cur = await repo.getRuleById(db, row.id);
      if (cur && cur.status !== 'active') await this.#withdrawOnSpeaker(cur, adapter).catch(() => undefined);
      return cur ?? row;
    }
    const done = { ...row, ...patch };
    this.#publish(done, 'mitigation.announced');
    if (done.incident_id && this.#d.onMitigated) {
      const incident = await incidents.getIncidentRow(db, done.incident_id);
      if (incident) await this.#d.onMitigated(incident, done, describeRule(done, adapter.name)).catch(this.#d.onError);
    }
    return done;
  }

  /** A half-done announcement tried again: first asked of the speaker, so a route it holds is not announced twice. */
  async #retryAnnounce(rule: RuleRow, adapter: AdapterRow): Promise<RuleRow> {
    const present = await this.#d.pool.run(adapter, (a) => a.present()).catch(() => null);
    return this.#announce(rule, adapter, present?.has(rule.rule_key) ?? false);
  }

  async #withdrawOnSpeaker(rule: RuleRow, adapter: AdapterRow): Promise<void> {
    const spec = fromJson<RuleSpec>(rule.spec, null as unknown as RuleSpec);
    await this.#d.pool.run(adapter, (a) => a.withdraw({ id: rule.id, spec }));
  }

  /**
   * Takes a rule down. `final` is withdrawn (by a person or the incident's end) or expired (TTL).
   * A failed withdraw leaves the rule "withdrawing": the tick retries it until the speaker agrees.
   */
  async withdraw(rule: RuleRow, by: string, reason: string, final: 'withdrawn' | 'expired' = 'withdrawn'): Promise<RuleRow> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const done = { status: final, withdrawn_at: now, withdrawn_by: by, withdraw_reason: reason, updated_at: now, error: null };
    if (rule.status === 'dry_run' || rule.status === 'refused' || rule.adapter_id === null) {
      // Nothing on a speaker. The agent removes firewall rules itself at their TTL or when their
      // incident resolves; taken back earlier by someone, the node is told to remove the rule.
      if (rule.intent_type === 'firewall' && rule.status === 'active' && rule.command_id !== null && by !== 'system' && rule.node_id !== null) {
        const node = await nodes.getNodeRow(db, rule.node_id);
        if (node) await this.#d.commands.queue(node, 'revoke', { command_id: rule.command_id }, by);
      }
      const from = rule.status === 'refused' ? ['refused'] : ['dry_run', 'active', 'pending', 'failed'];
      const patch = rule.status === 'refused' ? { withdrawn_at: now, withdrawn_by: by, withdraw_reason: reason, updated_at: now, status: 'refused' } : done;
      if (await this.#turn.write((w) => repo.transitionRule(w, rule.id, from, patch))) this.#publish({ ...rule, ...patch }, final === 'expired' ? 'mitigation.expired' : 'mitigation.withdrawn');
      return { ...rule, ...patch };
    }
    const withdrawing = { status: 'withdrawing', withdrawn_by: by, withdraw_reason: reason, updated_at: now };
    if (!(await this.#turn.write((w) => repo.transitionRule(w, rule.id, ['pending', 'active', 'failed', 'withdrawing'], withdrawing)))) {
      return (await repo.getRuleById(db, rule.id)) ?? rule;
    }
    const adapter = await repo.getAdapterById(db, rule.adapter_id);
    if (adapter) {
      try {
        await this.#withdrawOnSpeaker(rule, adapter);
        await this.#adapterHealth(adapter, null);
      } catch (err) {
        const retry = { error: `withdraw failed, will retry: ${message(err)}`, attempts: rule.attempts + 1, updated_at: clock.now() };
        await this.#turn.write((w) => repo.updateRule(w, rule.id, retry));
        await this.#adapterHealth(adapter, message(err));
        return { ...rule, status: 'withdrawing', error: message(err) };
      }
    }
    const finished = { ...done, withdrawn_at: clock.now() };
    await this.#turn.write((w) => repo.transitionRule(w, rule.id, ['withdrawing'], finished));
    const out = { ...rule, ...finished };
    this.#publish(out, final === 'expired' ? 'mitigation.expired' : 'mitigation.withdrawn');
    return out;
  }

  /** Withdraws every live rule an adapter carries (before the adapter is deleted). */
  async withdrawAllOf(adapter: AdapterRow, by: string): Promise<{ withdrawn: number; failed: number }> {
    let withdrawn = 0, failed = 0;
    for (const rule of await repo.liveRulesOfAdapter(this.#d.db, adapter.id)) {
      const r = await this.withdraw(rule, by, `adapter ${adapter.name} deleted`);
      if (r.status === 'withdrawn') withdrawn++;
      else failed++;
    }
    return { withdrawn, failed };
  }

  /** Withdraws live rules whose target or source an allowlist entry now covers. */
  async enforceAllowlist(workspaceId: string, entry: string, nodeId: number | null, by: string): Promise<number> {
    const allowed = parsePrefix(entry);
    if (!allowed) return 0;
    let n = 0;
    for (const rule of await repo.activeRules(this.#d.db, workspaceId)) {
      if (nodeId !== null && rule.node_id !== nodeId) continue;
      const t = parsePrefix(rule.target_ip);
      const src = rule.intent_type === 'flowspec' ? fromJson<{ match?: { source?: string } }>(rule.spec, {}).match?.source : undefined;
      const s = src ? parsePrefix(src) : null;
      if ((t && prefixesOverlap(allowed, t)) || (s && prefixesOverlap(allowed, s))) {
        await this.withdraw(rule, by, `allowlist entry ${entry} added`);
        n++;
      }
    }
    return n;
  }

  /** One pass: expire what is due, retry what is half-done, and now and then reconcile. */
  tick(): Promise<void> {
    return this.#turn.pass(() => this.#pass());
  }

  async #pass(): Promise<void> {
    const { db, clock } = this.#d;
    const turn = this.#turn;
    if (!(await turn.mayAct())) return;
    const now = clock.now();
    for (const rule of await repo.dueRules(db, now)) {
      if (!(await turn.mayAct())) return;
      const expired = rule.expires_at !== null && rule.expires_at <= now;
      await this.withdraw(rule, 'system', expired ? `TTL of ${rule.ttl_seconds}s ended` : 'incident resolved (hold-down over)', expired ? 'expired' : 'withdrawn')
        .catch(turn.itemFailed);
    }
    for (const rule of await repo.stuckRules(db, now - retryDelayMs(1, halfDoneRetry(this.#d.tickMs)))) {
      const adapter = rule.adapter_id ? await repo.getAdapterById(db, rule.adapter_id) : undefined;
      if (!adapter) continue;
      if (!(await turn.mayAct())) return;
      if (rule.status === 'pending') await this.#retryAnnounce(rule, adapter).catch(turn.itemFailed);
      else await this.withdraw(rule, rule.withdrawn_by ?? 'system', rule.withdraw_reason ?? 'retry').catch(turn.itemFailed);
    }
    if (now - this.#lastReconcile >= this.#d.reconcileMs) {
      this.#lastReconcile = now;
      await this.reconcileAll();
    }
  }

  async reconcileAll(): Promise<void> {
    for (const id of await repo.adaptersWithLiveRules(this.#d.db)) {
      const adapter = await repo.getAdapterById(this.#d.db, id);
      if (adapter) await this.reconcile(adapter).catch(this.#turn.itemFailed);
    }
  }

  /**
   * Makes the speaker carry exactly the stored live rules: missing ones announced again, ones it
   * still has after we withdrew them taken down. Routes we never announced are left alone.
   */
  async reconcile(adapter: AdapterRow): Promise<{ announced: number; withdrawn: number }> {
    const { db, pool } = this.#d;
    const live = await repo.liveRulesOfAdapter(db, adapter.id);
    let present: Set<string> | null;
    try {
      present = await pool.run(adapter, (a) => a.present());
    } catch (err) {
      await this.#adapterHealth(adapter, message(err));
      return { announced: 0, withdrawn: 0 };
    }
    await this.#adapterHealth(adapter, null);
    let announced = 0, withdrawn = 0;
    const wanted = new Set<string>();
    for (const rule of live) {
      if (rule.status === 'withdrawing') {
        await this.withdraw(rule, rule.withdrawn_by ?? 'system', rule.withdraw_reason ?? 'reconciliation');
        withdrawn++;
        continue;
      }
      wanted.add(rule.rule_key);
      if (present && present.has(rule.rule_key) && rule.status === 'active') continue;
      if (rule.status === 'pending') {
        await this.#announce(rule, adapter, present?.has(rule.rule_key) ?? false);
        announced++;
        continue;
      }
      try {
        await pool.run(adapter, (a) => a.announce({ id: rule.id, spec: fromJson<RuleSpec>(rule.spec, null as unknown as RuleSpec) }));
        announced++;
      } catch (err) {
        await this.#adapterHealth(adapter, message(err));
      }
    }
    if (present) {
      for (const key of present) {
        if (wanted.has(key)) continue;
        const old = await repo.latestRuleByKey(db, adapter.id, key);
        if (!old) continue; // not ours: an operator's own route
        await this.#withdrawOnSpeaker(old, adapter).catch(this.#d.onError);
        withdrawn++;
      }
    }
    return { announced, withdrawn };
  }

  async #adapterHealth(adapter: AdapterRow, error: string | null): Promise<void> {
    const status = error ? 'down' : 'up';
    if (adapter.status === status && adapter.last_error === error) return;
    adapter.status = status;
    adapter.last_error = error;
    await repo.setAdapterHealth(this.#d.db, adapter.id, { status, last_error: error });
  }

  #publish(rule: RuleRow, type: 'mitigation.announced' | 'mitigation.withdrawn' | 'mitigation.expired' | 'mitigation.failed'): void {
    this.#d.live.publish(rule.workspace_id, { type, rule_id: rule.id });
  }
}

function allowlistedSource(source: string, allow: readonly string[]): string | null {
  const s = parsePrefix(source);
  if (!s) return null;
  for (const entry of allow) {
    const a = parsePrefix(entry);
    if (a && prefixesOverlap(a, s)) return `source ${source} is covered by allowlist entry ${entry}`;
  }
  return null;
}
