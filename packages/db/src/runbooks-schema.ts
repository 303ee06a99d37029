// Table shapes of migration 013 (runbooks), merged into schema.ts' Schema.

export interface RunbookTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  trigger_conditions: string;
  /** Sealed (enc:v1:) by the database's secret box. */
  steps: string;
  undo_on_resolve: number;
  active: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface RunbookExecutionTable {
  id: string;
  workspace_id: string;
  runbook_id: string;
  runbook_name: string;
  dedup_key: string;
  trigger: string;
  event: string | null;
  incident_id: number | null;
  node_id: number | null;
  dry_run: number;
  status: string;
  current_step: number;
  /** Sealed. */
  steps: string;
  undo_on_resolve: number;
  context: string;
  results: string;
  effects: string;
  log: string;
  next_run_at: number | null;
  lease_until: number | null;
  lease_owner: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
}
