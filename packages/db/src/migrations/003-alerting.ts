import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Alerting: channel routing, maintenance windows, and the durable outbox of deliveries.
export function alerting(dialect: DialectName): Migration {
  const serialId = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('nodes').addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('channels').addColumn('min_severity', 'text', (c) => c.notNull().defaultTo('low')).execute();
      // JSON: { nodes?: uuid[], tags?: string[], events?: string[] }
      await db.schema.alterTable('channels').addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}')).execute();

      await db.schema
        .createTable('maintenance_windows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('nodes', 'text', (c) => c.notNull()) // JSON uuid[]; empty = every node
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('maintenance_ws_end').on('maintenance_windows').columns(['workspace_id', 'ends_at']).execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('incident_id', 'bigint')
        .addColumn('event', 'text', (c) => c.notNull())
        // One message per channel, incident and event: the outbox never holds two copies.
        .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // pending | sending | delivered | failed | suppressed
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        // Recipients already reached (sms, email with several): a retry does not send to them again.
        .addColumn('delivered_to', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)`.execute(db);
      await db.schema.createIndex('deliveries_channel').on('deliveries').columns(['channel_id', 'created_at']).execute();
      await db.schema.createIndex('deliveries_incident').on('deliveries').column('incident_id').execute();

      await db.schema
        .createTable('delivery_attempts')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull()) // delivered | retry | permanent
        .addColumn('status_code', 'integer')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('attempts_delivery').on('delivery_attempts').column('delivery_id').execute();
    },
  };
}
