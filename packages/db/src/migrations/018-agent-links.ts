import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// Which replica holds each agent's WebSocket, so any replica can say whether an agent is
// connected (the fleet API's agent detail): a row per linked agent, and a row per replica that
// it refreshes while it runs. A link counts only while its replica's row is fresh, so the links
// of a replica that died stop counting when its refreshes stop. Additive only.
export function agentLinks(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cluster_replicas')
        .addColumn('replica_id', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agent_links')
        .addColumn('node_id', 'bigint', (c) => c.primaryKey())
        .addColumn('replica_id', 'text', (c) => c.notNull())
        .addColumn('since', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agent_links_replica').on('agent_links').column('replica_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('agent_links').execute();
      await db.schema.dropTable('cluster_replicas').execute();
    },
  };
}
