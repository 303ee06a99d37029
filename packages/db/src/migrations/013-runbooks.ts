import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Runbooks and their executions. An execution keeps its own copy of the steps it runs (so a runbook
// edited or deleted mid-run finishes as it started), its position, each step's result, the external
// effects it made (to undo them) and when it next runs (a wait's end): a restart resumes from that.
// dedup_key makes a runbook run once per incident and event, even with several servers.
export function runbooks(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('runbooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('trigger_conditions', 'text', (c) => c.notNull()) // JSON
        .addColumn('steps', 'text', (c) => c.notNull()) // JSON, webhook secrets included: sealed at rest
        .addColumn('undo_on_resolve', 'integer', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('runbooks_ws').on('runbooks').columns(['workspace_id', 'created_at']).execute();

      await db.schema
        .createTable('runbook_executions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('runbook_id', 'text', (c) => c.notNull()) // no reference: executions outlive their runbook
        .addColumn('runbook_name', 'text', (c) => c.notNull())
        .addColumn('dedup_key', 'text', (c) => c.notNull().unique()) // runbook:incident:event, or test:<id>
        .addColumn('trigger', 'text', (c) => c.notNull()) // incident | test
        .addColumn('event', 'text')
        .addColumn('incident_id', 'bigint')
        .addColumn('node_id', 'bigint')
        .addColumn('dry_run', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // running | succeeded | failed | stopped | undone
        .addColumn('current_step', 'integer', (c) => c.notNull())
        .addColumn('steps', 'text', (c) => c.notNull()) // the runbook's steps when it started: sealed
        .addColumn('undo_on_resolve', 'integer', (c) => c.notNull())
        .addColumn('context', 'text', (c) => c.notNull()) // JSON: template variables and incident facts
        .addColumn('results', 'text', (c) => c.notNull()) // JSON: one per step
        .addColumn('effects', 'text', (c) => c.notNull()) // JSON: external effects with their undo state
        .addColumn('log', 'text', (c) => c.notNull()) // JSON lines
        .addColumn('next_run_at', 'bigint') // null: nothing to do (finished)
        .addColumn('lease_until', 'bigint')
        .addColumn('lease_owner', 'text')
        .addColumn('error', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('runbook_exec_due').on('runbook_executions').columns(['status', 'next_run_at']).execute();
      await db.schema.createIndex('runbook_exec_rb').on('runbook_executions').columns(['runbook_id', 'started_at']).execute();
      await db.schema.createIndex('runbook_exec_incident').on('runbook_executions').columns(['incident_id']).execute();
    },
  };
}
