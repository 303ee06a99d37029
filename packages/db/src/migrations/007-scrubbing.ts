import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Cloud scrubbing: the integrations (a provider account and what it protects), the diversions
// made through them with their whole life (who or what asked, why, until when, each state's
// time, the provider's idempotency key), and an append-only history of what happened to each.
export function scrubbing(dialect: DialectName): Migration {
  const serialId = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('scrubbing_integrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('integration_type', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull()) // JSON, credentials included: sealed at rest
        .addColumn('target', 'text') // what it protects by default (prefix or address); null: each diversion names one
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // connection health: unknown | up | down
        .addColumn('last_test_at', 'bigint')
        .addColumn('last_latency_ms', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scrub_integrations_ws').on('scrubbing_integrations').columns(['workspace_id', 'created_at']).execute();

      await db.schema
        .createTable('scrubbing_diversions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        // requested | propagating | diverting | withdrawing | idle | failed | refused | dry_run
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull())
        .addColumn('owner_kind', 'text', (c) => c.notNull()) // user | policy | runbook
        .addColumn('owner', 'text', (c) => c.notNull()) // "user:…", "token:…", "policy", "runbook:<execution>"
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('incident_id', 'bigint')
        .addColumn('node_id', 'bigint')
        .addColumn('tier', 'text')
        .addColumn('ttl_seconds', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('withdraw_after', 'bigint') // incident resolved: withdrawn once the hold-down has passed
        .addColumn('earliest_withdraw_at', 'bigint') // flap guard: the provider's documented minimum
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('detail', 'text') // the provider's last status, in words
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('propagating_at', 'bigint')
        .addColumn('diverting_at', 'bigint')
        .addColumn('withdrawing_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('ended_by', 'text')
        .addColumn('end_reason', 'text')
        .addColumn('next_poll_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX scrub_div_ws ON scrubbing_diversions (workspace_id, requested_at)`.execute(db);
      await db.schema.createIndex('scrub_div_integration_state').on('scrubbing_diversions').columns(['integration_id', 'state']).execute();
      await db.schema.createIndex('scrub_div_incident').on('scrubbing_diversions').column('incident_id').execute();
      await db.schema.createIndex('scrub_div_state').on('scrubbing_diversions').columns(['state', 'next_poll_at']).execute();

      await db.schema
        .createTable('scrubbing_events')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('diversion_id', 'text')
        .addColumn('event', 'text', (c) => c.notNull()) // state | test | created | updated | deleted | reconciled | error
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scrub_events_integration').on('scrubbing_events').columns(['integration_id', 'at']).execute();
      await db.schema.createIndex('scrub_events_ws').on('scrubbing_events').columns(['workspace_id', 'at']).execute();
    },
  };
}
