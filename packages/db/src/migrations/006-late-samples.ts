import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Samples older than raw retention are merged into a roll-up row, which is not idempotent
// by itself: the keys of merged samples are kept here for as long as raw samples would be,
// so an agent that resends a batch after losing the reply adds nothing.
export function lateSamples(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('metrics_late')
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_late_pk', ['node_id', 'ts'])
        .execute();
    },
  };
}
