// Who asks for a diversion and on what terms: an operator (announce/withdraw routes), the
// escalation policy's scrubbing tier (an incident crossing it), and a runbook's scrubbing_enable
// step (owner: its execution). Each gets the policy's TTL cap, hold-down, dry-run and the
// allowlist that applies to the attacked node; the service does the rest.
import { randomUUID } from 'node:crypto';
import type { EscalationPolicy, Tier } from '@breakwater/contracts';
import { mitigation as mitigationRepo, scrubbing as repo, type Db, type DiversionRow, type IncidentRow, type NodeRow, type ScrubbingIntegrationRow } from '@breakwater/db';
import { ScrubbingError } from '@breakwater/scrubbing';
import type { Clock } from '../../clock.ts';
import { readPolicy } from '../mitigation/policy.ts';
import { DiversionInputError, type ScrubbingService } from './scrubbing-service.ts';

export interface DiversionDeps {
  db: Db;
  clock: Clock;
  scrubbing: ScrubbingService;
  /** Allowlist entries that apply to a node (workspace-wide plus its own). */
  allowlistFor: (workspaceId: string, nodeId: number | null) => Promise<string[]>;
}

export interface DiversionRequest {
  workspaceId: string;
  integration: ScrubbingIntegrationRow;
  /** The attacked address or prefix; null: the integration's only target. */
  address: string | null;
  ownerKind: 'user' | 'policy' | 'runbook';
  owner: string;
  reason: string;
  /** Seconds; undefined: the policy's default TTL; 0: until withdrawn (the policy's max_rule_ttl). */
  ttl?: number;
  incident?: IncidentRow | null;
  node?: NodeRow | null;
  tier?: string | null;
  /** undefined: the policy's dry_run. */
  dryRun?: boolean;
}

const defaultTtl = (p: EscalationPolicy) => (typeof p.ttl === 'number' ? p.ttl : 3600);

/** Stores a diversion on the policy's terms and asks the provider for it (DiversionInputError: a 400 naming the key). */
export async function requestDiversion(deps: DiversionDeps, r: DiversionRequest): Promise<DiversionRow> {
  const policy = readPolicy(await mitigationRepo.getPolicy(deps.db, r.workspaceId));
  const ttl = r.ttl === undefined ? defaultTtl(policy) : r.ttl === 0 ? policy.max_rule_ttl : r.ttl;
  if (ttl > policy.max_rule_ttl) throw new DiversionInputError(`ttl: at most ${policy.max_rule_ttl} seconds (the escalation policy's max_rule_ttl)`);
  return deps.scrubbing.announce({
    workspaceId: r.workspaceId, integration: r.integration, address: r.address, ownerKind: r.ownerKind, owner: r.owner, reason: r.reason,
    ttlSeconds: Math.min(ttl, policy.max_rule_ttl), incident: r.incident ?? null, node: r.node ?? null, tier: r.tier ?? null,
    dryRun: r.dryRun ?? policy.dry_run, allowlist: await deps.allowlistFor(r.workspaceId, r.node?.id ?? null), holdDownSeconds: policy.hold_down_seconds,
  });
}

/**
 * What a runbook's `scrubbing_enable` step calls: a diversion through the integration, owned by
 * the runbook execution ("runbook:<execution id>"), for the incident's node when there is one.
 * Throws DiversionInputError (bad target, TTL) or an Error naming a missing integration.
 */
export async function enableForRunbook(deps: DiversionDeps, s: {
  workspaceId: string; integrationId: string; executionId: string; address?: string | null; reason?: string; ttlSeconds?: number;
  incident?: IncidentRow | null; node?: NodeRow | null; dryRun?: boolean;
}): Promise<DiversionRow> {
  const integration = await repo.getIntegration(deps.db, s.workspaceId, s.integrationId);
  if (!integration) throw new DiversionInputError(`integration_id: no scrubbing integration ${s.integrationId} in this workspace`);
  return requestDiversion(deps, {
    workspaceId: s.workspaceId, integration, address: s.address ?? s.node?.ip ?? null, ownerKind: 'runbook', owner: `runbook:${s.executionId}`,
    reason: s.reason ?? `runbook execution ${s.executionId}`, ttl: s.ttlSeconds, incident: s.incident ?? null, node: s.node ?? null, dryRun: s.dryRun,
  });
}

/**
 * What a runbook's step to end scrubbing calls: withdraws the integration's diversions of the
 * address (or all of them), as the execution; the flap guard still holds a withdraw the provider
 * cannot follow yet (the diversion then shows withdraw_after).
 */
export async function disableForRunbook(deps: DiversionDeps, s: { workspaceId: string; integrationId: string; executionId: string; address?: string | null; reason?: string }): Promise<DiversionRow[]> {
  const integration = await repo.getIntegration(deps.db, s.workspaceId, s.integrationId);
  if (!integration) throw new DiversionInputError(`integration_id: no scrubbing integration ${s.integrationId} in this workspace`);
  const target = s.address ? deps.scrubbing.pool.peek(integration)?.targetFor(s.address) ?? s.address : null;
  const open = (await repo.activeDiversionsOf(deps.db, integration.id)).filter((d) => d.state !== 'withdrawing' && (target === null || d.target === target));
  const out: DiversionRow[] = [];
  for (const d of open) out.push(await deps.scrubbing.withdraw(d, `runbook:${s.executionId}`, s.reason ?? `runbook execution ${s.executionId}`));
  return out;
}

/** The escalation policy's scrubbing tier through a scrubbing integration (the auto-mitigator calls it). */
export class ScrubbingTier {
  readonly #d: DiversionDeps;
  constructor(deps: DiversionDeps) {
    this.#d = deps;
  }

  /** Tiers that already diverted (or decided not to) for this incident: each fires once. */
  async tiersDone(incidentId: number): Promise<Set<string>> {
    return new Set((await repo.diversionsOfIncident(this.#d.db, incidentId)).map((d) => d.tier).filter((t): t is string => t !== null));
  }

  async apply(policy: EscalationPolicy, tier: Tier, incident: IncidentRow, node: NodeRow, reason: string, ttlSeconds: number): Promise<DiversionRow> {
    const { db, clock } = this.#d;
    const integration = await repo.getIntegration(db, incident.workspace_id, tier.integration_id!);
    const base = { workspaceId: incident.workspace_id, ownerKind: 'policy' as const, owner: 'policy', reason, ttl: ttlSeconds, incident, node, tier: tier.name, dryRun: policy.dry_run };
    const problem = !integration ? `scrubbing integration ${tier.integration_id} not found` : null;
    if (integration && !problem) {
      try {
        return await requestDiversion(this.#d, { ...base, integration, address: node.ip });
      } catch (err) {
        // The node not covered, a TTL over the cap, or stored settings the provider now refuses.
        if (!(err instanceof DiversionInputError) && !(err instanceof ScrubbingError && err.kind === 'config')) throw err;
        return this.#refused(base, integration.id, node.ip, err.message.replace(/^target: /, ''), clock.now());
      }
    }
    return this.#refused(base, tier.integration_id!, node.ip, problem!, clock.now());
  }

  /** Recorded, so the operator sees why the tier did nothing. */
  async #refused(b: { workspaceId: string; owner: string; reason: string; ttl: number; incident: IncidentRow; node: NodeRow; tier: string; dryRun: boolean }, integrationId: string, target: string, why: string, now: number): Promise<DiversionRow> {
    const row: DiversionRow = {
      id: randomUUID(), workspace_id: b.workspaceId, integration_id: integrationId, target, state: 'refused', dry_run: b.dryRun ? 1 : 0, owner_kind: 'policy', owner: b.owner,
      reason: b.reason, incident_id: b.incident.id, node_id: b.node.id, tier: b.tier, ttl_seconds: b.ttl, expires_at: null, withdraw_after: null, earliest_withdraw_at: null,
      idempotency_key: `bw-${randomUUID()}`, attempts: 0, error: why, detail: null, requested_at: now, propagating_at: null, diverting_at: null, withdrawing_at: null,
      ended_at: now, ended_by: 'system', end_reason: why, next_poll_at: null, updated_at: now,
    };
    await repo.insertDiversion(this.#d.db, row);
    await repo.appendEvent(this.#d.db, { workspace_id: b.workspaceId, integration_id: integrationId, diversion_id: row.id, event: 'refused', from_state: null, to_state: 'refused', actor: 'policy', message: `${target}: refused: ${why}`, at: now });
    return row;
  }

  resolved(incident: IncidentRow, holdDownSeconds: number): Promise<void> {
    return this.#d.scrubbing.incidentResolved(incident, holdDownSeconds);
  }
}
