// Runbooks and executions as the API shows them: webhook secrets masked, times as ISO strings,
// node and incident by their UUIDs.
import type { Static } from 'typebox';
import type { EffectInfo, ExecutionInfo, RunbookInfo, RunbookStep, StepResultInfo, TriggerConditions } from '@breakwater/contracts';
import { fromJson, incidents, nodes, type Db, type ExecutionCounts, type ExecutionRow, type RunbookRow } from '@breakwater/db';
import type { EffectRecord, LogLine, StepRecord } from './engine.ts';
import { MASK } from './runbook-admin.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function maskSteps(steps: readonly RunbookStep[]): RunbookStep[] {
  return steps.map((s) => (s.action_type === 'webhook' && typeof s.action_config.secret === 'string' ? { ...s, action_config: { ...s.action_config, secret: MASK } } : s));
}

export function presentRunbook(row: RunbookRow, counts: ExecutionCounts | undefined): RunbookInfo {
  return {
    id: row.id, name: row.name, description: row.description, trigger_conditions: fromJson<TriggerConditions>(row.trigger_conditions, {}),
    steps: maskSteps(fromJson<RunbookStep[]>(row.steps, [])), undo_on_resolve: row.undo_on_resolve === 1, active: row.active === 1,
    execution_count: counts?.total ?? 0, success_count: counts?.succeeded ?? 0, failure_count: counts?.failed ?? 0, last_executed_at: iso(counts?.last ?? null),
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function presentExecutions(db: Db, rows: readonly ExecutionRow[]): Promise<ExecutionInfo[]> {
  const nodeUuids = await nodes.uuidsOf(db, [...new Set(rows.map((r) => r.node_id).filter((n): n is number => n !== null))]);
  const incidentUuids = await incidents.uuidsOf(db, [...new Set(rows.map((r) => r.incident_id).filter((n): n is number => n !== null))]);
  return rows.map((r) => ({
    id: r.id, runbook_id: r.runbook_id, runbook_name: r.runbook_name, trigger: r.trigger, event: r.event,
    incident_id: r.incident_id === null ? null : incidentUuids.get(r.incident_id) ?? null, node_id: r.node_id === null ? null : nodeUuids.get(r.node_id) ?? null,
    dry_run: r.dry_run === 1, status: r.status, current_step: r.current_step, error: r.error, started_at: new Date(r.started_at).toISOString(), finished_at: iso(r.finished_at),
    steps: fromJson<StepRecord[]>(r.results, []).map((s): StepResultInfo => ({
      index: s.index, action_type: s.action_type, name: s.name, status: s.status, output: s.output, error: s.error, attempts: s.attempts,
      started_at: iso(s.started_at), finished_at: iso(s.finished_at), duration_ms: s.started_at !== null && s.finished_at !== null ? s.finished_at - s.started_at : null,
    })),
    effects: fromJson<EffectRecord[]>(r.effects, []).map((e): Static<typeof EffectInfo> => ({ step: e.step, kind: e.kind, ref: e.ref, owner: e.owner, undone_at: iso(e.undone_at), undo_error: e.undo_error })),
    log: fromJson<LogLine[]>(r.log, []).map((l) => ({ at: new Date(l.at).toISOString(), level: l.level, message: l.message })),
  }));
}
