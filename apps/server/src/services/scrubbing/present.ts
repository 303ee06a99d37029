// API views of scrubbing rows. Credentials leave the server masked, always, for every role.
import { scrubbingSecretKeys, type ScrubbingType } from '@breakwater/contracts';
import { fromJson, incidents, nodes, type Db, type DiversionRow, type ScrubbingEventRow, type ScrubbingIntegrationRow } from '@breakwater/db';
import { iso, isoOrNull, maskSecret } from '../present.ts';
import type { ProviderPool } from './provider-pool.ts';
import { summaryState } from './scrubbing-service.ts';

/** The type's credential keys (its schema marks them), masked. */
export function maskIntegrationConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  let secrets: string[] = [];
  try {
    secrets = scrubbingSecretKeys(type as ScrubbingType);
  } catch {
    // an unknown type: mask every value rather than guess
    return Object.fromEntries(Object.keys(config).map((k) => [k, maskSecret(config[k])]));
  }
  for (const k of secrets) if (k in out) out[k] = maskSecret(out[k]);
  return out;
}

export async function presentDiversions(db: Db, rows: DiversionRow[], names: Map<string, string>) {
  const incs = await incidents.uuidsOf(db, [...new Set(rows.map((r) => r.incident_id).filter((x): x is number => x !== null))]);
  const nodeIds = await nodes.uuidsOf(db, [...new Set(rows.map((r) => r.node_id).filter((x): x is number => x !== null))]);
  return rows.map((d) => ({
    id: d.id, integration_id: d.integration_id, integration_name: names.get(d.integration_id) ?? null, target: d.target, state: d.state,
    dry_run: d.dry_run === 1, owner_kind: d.owner_kind, owner: d.owner, reason: d.reason,
    incident_id: d.incident_id !== null ? incs.get(d.incident_id) ?? null : null, node_id: d.node_id !== null ? nodeIds.get(d.node_id) ?? null : null,
    tier: d.tier, ttl: d.ttl_seconds, expires_at: isoOrNull(d.expires_at), withdraw_after: isoOrNull(d.withdraw_after),
    earliest_withdraw_at: isoOrNull(d.earliest_withdraw_at), idempotency_key: d.idempotency_key, attempts: d.attempts, error: d.error, detail: d.detail,
    requested_at: iso(d.requested_at), propagating_at: isoOrNull(d.propagating_at), diverting_at: isoOrNull(d.diverting_at),
    withdrawing_at: isoOrNull(d.withdrawing_at), ended_at: isoOrNull(d.ended_at), ended_by: d.ended_by, end_reason: d.end_reason,
  }));
}

/** When the summary state began: the newest matching timestamp of the diversion in it. */
function sinceOf(d: DiversionRow | undefined): number | null {
  if (!d) return null;
  switch (d.state) {
    case 'diverting': return d.diverting_at;
    case 'propagating': return d.propagating_at;
    case 'withdrawing': return d.withdrawing_at;
    default: return d.requested_at;
  }
}

export async function presentIntegration(db: Db, pool: ProviderPool, row: ScrubbingIntegrationRow, active: DiversionRow[]) {
  const provider = pool.peek(row);
  const state = summaryState(active);
  return {
    id: row.id, name: row.name, integration_type: row.integration_type,
    config: maskIntegrationConfig(row.integration_type, fromJson<Record<string, unknown>>(row.config, {})), enabled: row.enabled === 1,
    capabilities: provider?.capabilities ?? null, targets: provider?.targets() ?? [],
    diverting: active.some((d) => d.state === 'diverting'), state,
    since: isoOrNull(sinceOf(active.find((d) => d.state === state)) ?? null), health: row.status,
    active_diversions: await presentDiversions(db, active, new Map([[row.id, row.name]])),
    last_test_at: isoOrNull(row.last_test_at), last_latency_ms: row.last_latency_ms, last_error: row.last_error,
    created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

export const presentEvent = (e: ScrubbingEventRow) => ({
  id: Number(e.id), diversion_id: e.diversion_id, event: e.event, from_state: e.from_state, to_state: e.to_state, actor: e.actor, message: e.message, at: iso(e.at),
});
