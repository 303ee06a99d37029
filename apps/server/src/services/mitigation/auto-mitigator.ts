// Automatic mitigation: an incident is held against the escalation policy the moment it opens
// and each time its peaks grow; every tier it reaches adds that tier's rules (once per tier and
// incident). When it resolves, its rules are withdrawn after the policy's hold-down.
import { canonicalPrefix, parsePrefix, prefixesOverlap, type EscalationPolicy, type Tier } from '@breakwater/contracts';
import { fromJson, incidents, mitigation as repo, type Db, type IncidentRow, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { firewallFor, flowspecRefusal, geoSources, specFor } from './intents.ts';
import type { MitigationService } from './mitigation-service.ts';
import type { ScrubbingTier } from '../scrubbing/diversions.ts';
import { overrideFor, readPolicy, tierTrigger, tiersReached, tierTtl } from './policy.ts';

export interface AutoMitigatorDeps {
  db: Db;
  clock: Clock;
  rules: MitigationService;
  /** Country of a source address (geo lockdown); null when unknown. */
  geo: (ip: string) => Promise<string | null>;
  onError: (err: unknown) => void;
  /** Scrubbing tiers that name a scrubbing integration (integration_id) divert through it. */
  scrubbing?: ScrubbingTier;
}

export type IncidentChange = 'incident.opened' | 'incident.escalated' | 'incident.updated' | 'incident.resolved';

export class AutoMitigator {
  readonly #d: AutoMitigatorDeps;
  /** One evaluation per incident at a time: updates arrive every few seconds and may overlap. */
  readonly #running = new Map<number, Promise<void>>();

  constructor(deps: AutoMitigatorDeps) {
    this.#d = deps;
  }

  /** Runs in the background so the agent's report is answered at once; returns the work for tests. */
  handle(event: IncidentChange, incident: IncidentRow, node: NodeRow): Promise<void> {
    const prev = this.#running.get(incident.id) ?? Promise.resolve();
    const next = prev.then(() => (event === 'incident.resolved' ? this.#resolved(incident) : this.#evaluate(incident, node))).catch(this.#d.onError);
    this.#running.set(incident.id, next);
    void next.finally(() => {
      if (this.#running.get(incident.id) === next) this.#running.delete(incident.id);
    });
    return next;
  }

  /** Waits for every evaluation under way (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  /** Shutdown: evaluations under way finish first. */
  async stop(): Promise<void> {
    await this.idle();
  }

  async #evaluate(incident: IncidentRow, node: NodeRow): Promise<void> {
    const { db } = this.#d;
    const policy = readPolicy(await repo.getPolicy(db, incident.workspace_id));
    // Nothing to decide (the default policy): no further reads for each report of each incident.
    if (!policy.enabled || (policy.thresholds.length === 0 && !policy.geo_lockdown.enabled)) return;
    const current = await incidents.getIncidentRow(db, incident.id);
    if (!current || current.status !== 'active') return;
    const overrides = (await repo.listThresholds(db, incident.workspace_id)).map((t) => ({ target_ip: t.target_ip, thresholds: fromJson<Record<string, number>>(t.thresholds, {}) }));
    const override = overrideFor(node.ip, overrides);
    const reached = tiersReached(policy, { pps: current.peak_pps, bps: current.peak_bps }, node.baseline_p99_pps, override);
    const done = new Set<string | null>((await repo.rulesOfIncident(db, incident.id)).map((r) => r.tier));
    if (this.#d.scrubbing) for (const t of await this.#d.scrubbing.tiersDone(incident.id)) done.add(t);
    for (const tier of reached) {
      if (done.has(tier.name)) continue;
      await this.#applyTier(policy, tier, current, node, override);
    }
    if (policy.geo_lockdown.enabled && !done.has('geo_lockdown')) await this.#geoLockdown(policy, current, node);
  }

  async #applyTier(policy: EscalationPolicy, tier: Tier, incident: IncidentRow, node: NodeRow, override: Record<string, number> | null): Promise<void> {
    const { db, rules } = this.#d;
    const t = tierTrigger(policy, tier, node.baseline_p99_pps, override);
    const fired = [t.pps !== null ? `${t.pps} pps` : null, t.bps !== null ? `${t.bps} bps` : null].filter(Boolean).join(' or ');
    const reason = `${tier.name}: ${incident.attack_family}${incident.attack_subtype ? `/${incident.attack_subtype}` : ''} peaked at ${incident.peak_pps} pps, ${incident.peak_bps} bps (tier fires at ${fired})`;
    const ttlSeconds = Math.min(tierTtl(policy, tier), policy.max_rule_ttl);
    const base = { workspaceId: incident.workspace_id, node, incident, owner: 'policy', reason, ttlSeconds, tier: tier.name, dryRun: policy.dry_run };
    if (tier.action === 'firewall') {
      const allow = await rules.allowlistFor(incident.workspace_id, node.id);
      const allowed = (ip: string) => {
        const p = parsePrefix(ip);
        return !!p && !allow.some((a) => { const q = parsePrefix(a); return !!q && prefixesOverlap(p, q); });
      };
      const intents = firewallFor(incident, node, allowed);
      // No agent runs on a flow node (a host a collector watches): a command queued for it would wait
      // forever, so the tier is recorded as refused and says what would work there.
      const refuse = noAgentOn(node);
      for (const fw of intents) await rules.create({ ...base, adapter: null, intent: 'firewall', spec: fw, ...(refuse ? { refuse } : {}) });
      return;
    }
    if (tier.action === 'scrubbing' && tier.integration_id !== undefined && this.#d.scrubbing) {
      await this.#d.scrubbing.apply(policy, tier, incident, node, reason, ttlSeconds);
      return;
    }
    const adapter = tier.adapter_id ? await repo.getAdapter(db, incident.workspace_id, tier.adapter_id) : undefined;
    const spec = specFor(tier.action, incident, node, policy);
    if (!adapter || !spec) {
      // Recorded, so the operator sees why the tier did nothing.
      await rules.create({
        ...base, adapter: null, intent: tier.action, spec: spec ?? { kind: 'scrubbing', prefix: canonicalPrefix(node.ip) ?? node.ip },
        refuse: !adapter ? `adapter ${tier.adapter_id ?? '(none)'} not found` : (tier.action === 'flowspec' ? flowspecRefusal(incident) : null) ?? `node address ${node.ip} is not an IP address`,
      });
      return;
    }
    await rules.create({ ...base, adapter, intent: tier.action, spec });
  }

  async #geoLockdown(policy: EscalationPolicy, incident: IncidentRow, node: NodeRow): Promise<void> {
    const { db, rules, geo } = this.#d;
    const sources = fromJson<{ ip: string; country?: string | null }[]>(incident.top_src_ips, []);
    const located = await Promise.all(sources.slice(0, 50).map(async (s) => ({ ip: s.ip, country: s.country ?? (typeof s.ip === 'string' ? await geo(s.ip) : null) })));
    const hits = geoSources({ ...incident, top_src_ips: JSON.stringify(located) }, policy.geo_lockdown.countries);
    if (hits.length === 0) return;
    const reason = `geo lockdown: sources from ${policy.geo_lockdown.countries.join(', ')}`;
    const base = { workspaceId: incident.workspace_id, node, incident, owner: 'policy', reason, ttlSeconds: Math.min(typeof policy.ttl === 'number' ? policy.ttl : 3600, policy.max_rule_ttl), tier: 'geo_lockdown', dryRun: policy.dry_run };
    const adapter = policy.geo_lockdown.action === 'flowspec' && policy.geo_lockdown.adapter_id ? await repo.getAdapter(db, incident.workspace_id, policy.geo_lockdown.adapter_id) : undefined;
    const destination = canonicalPrefix(node.ip);
    for (const ip of hits) {
      const source = canonicalPrefix(ip);
      if (!source) continue;
      // An L7 flood's sources are blocked on the node, never by FlowSpec (flowspecRefusal).
      if (adapter && destination && flowspecRefusal(incident) === null) {
        await rules.create({ ...base, adapter, intent: 'flowspec', spec: { kind: 'flowspec', match: { destination, source }, action: { type: 'discard' } } });
      } else {
        const refuse = noAgentOn(node);
        await rules.create({ ...base, adapter: null, intent: 'firewall', spec: { type: 'block_source', params: { address: ip }, target: source }, ...(refuse ? { refuse } : {}) });
      }
    }
  }

  async #resolved(incident: IncidentRow): Promise<void> {
    const { db, clock, rules } = this.#d;
    const policy = readPolicy(await repo.getPolicy(db, incident.workspace_id));
    const now = clock.now();
    await this.#d.scrubbing?.resolved(incident, policy.hold_down_seconds);
    for (const rule of await repo.rulesOfIncident(db, incident.id)) {
      if (!['pending', 'active', 'dry_run', 'failed'].includes(rule.status) || rule.withdrawn_at !== null) continue;
      if (policy.hold_down_seconds === 0) await rules.withdraw(rule, 'system', 'incident resolved');
      else await repo.updateRule(db, rule.id, { withdraw_after: now + policy.hold_down_seconds * 1000, updated_at: now });
    }
  }
}

/** Why firewall rules cannot go to this node, or null when an agent runs there to apply them. */
function noAgentOn(node: NodeRow): string | null {
  return node.kind === 'flow' || node.kind === 'collector'
    ? `node ${node.name} is a ${node.kind} node: no agent runs there to apply firewall rules (use a blackhole, FlowSpec or scrubbing tier)`
    : null;
}
