import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Fleet conversations relayed between replicas (a stream or file transfer asked on one replica
// for an agent whose WebSocket is on another). A message too large for NOTIFY's 8000 bytes (a
// file chunk: 256 KiB as base64) waits here for the one replica it is addressed to, which takes
// it (reads and deletes it) when the bus tells it the frame's id. Rows left by a replica that
// died before taking them are pruned by age. Additive only.
export function clusterFrames(dialect: DialectName): Migration {
  const serialId = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cluster_frames')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('conversation', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cluster_frames_created').on('cluster_frames').column('created_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('cluster_frames').execute();
    },
  };
}
