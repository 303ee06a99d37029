import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Several server replicas on one database. cluster_leases: one row per timer that must run on
// one replica at a time; token grows by one at each change of holder (a fencing token: a
// replica that paused and lost its lease sees its token is no longer the row's and stops).
// cluster_events: what the cross-replica bus carried, by id, so a replica that missed a
// NOTIFY (reconnect, or a NOTIFY never sent) catches up by reading past its last id.
// Additive only: replicas of the previous version never read these tables.
export function cluster(dialect: DialectName): Migration {
  const serialId = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cluster_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('token', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('cluster_events')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cluster_events_created').on('cluster_events').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('cluster_events').execute();
      await db.schema.dropTable('cluster_leases').execute();
    },
  };
}
