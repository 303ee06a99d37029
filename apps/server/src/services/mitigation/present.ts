// API views of mitigation rows. Secrets leave the server masked, always.
import type { AdapterRow, Db, RuleRow } from '@breakwater/db';
import { fromJson, incidents, mitigation as repo, nodes as nodeRepo } from '@breakwater/db';
import { maskAdapterConfig } from '@breakwater/mitigation';
import { iso, isoOrNull, maskSecret } from '../present.ts';

/** Header values and credential-named keys, masked (packages/mitigation says which are secrets). */
export const maskConfig = maskAdapterConfig;

export function presentAdapter(a: AdapterRow, activeRules: number) {
  return {
    id: a.id, name: a.name, adapter_type: a.adapter_type, endpoint: a.endpoint,
    auth_token: a.auth_token ? (maskSecret(a.auth_token) as string) : null,
    config: maskConfig(fromJson<Record<string, unknown>>(a.config, {})), capabilities: fromJson<string[]>(a.capabilities, []),
    max_active_rules: a.max_active_rules, active_rules: activeRules, status: a.status,
    last_test_at: isoOrNull(a.last_test_at), last_latency_ms: a.last_latency_ms, last_error: a.last_error,
    created_at: iso(a.created_at), updated_at: iso(a.updated_at),
  };
}

/** Rules with their adapter's name and the public ids of their incident and node, loaded in one go. */
export async function presentRules(db: Db, rows: RuleRow[]) {
  const adapterIds = [...new Set(rows.map((r) => r.adapter_id).filter((x): x is string => x !== null))];
  const incidentIds = [...new Set(rows.map((r) => r.incident_id).filter((x): x is number => x !== null))];
  const nodeIds = [...new Set(rows.map((r) => r.node_id).filter((x): x is number => x !== null))];
  const names = await repo.adapterNamesOf(db, adapterIds);
  const incs = await incidents.uuidsOf(db, incidentIds);
  const nodes = await nodeRepo.uuidsOf(db, nodeIds);
  return rows.map((r) => ({
    id: r.id, adapter_id: r.adapter_id, adapter_name: r.adapter_id ? names.get(r.adapter_id) ?? null : null, intent_type: r.intent_type,
    target_ip: r.target_ip, spec: fromJson<unknown>(r.spec, null), status: r.status, dry_run: r.dry_run === 1, tier: r.tier, owner: r.owner,
    reason: r.reason, ttl: r.ttl_seconds, incident_id: r.incident_id !== null ? incs.get(r.incident_id) ?? null : null,
    node_id: r.node_id !== null ? nodes.get(r.node_id) ?? null : null, attempts: r.attempts, error: r.error, created_at: iso(r.created_at),
    announced_at: isoOrNull(r.announced_at), expires_at: isoOrNull(r.expires_at), withdrawn_at: isoOrNull(r.withdrawn_at),
    withdrawn_by: r.withdrawn_by, withdraw_reason: r.withdraw_reason,
  }));
}
