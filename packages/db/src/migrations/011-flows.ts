import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Flow collection. A collector is a node of kind `collector` (enrolled like an agent, with the
// networks it protects); each protected address it reports on becomes a node of kind `flow`
// (parent: the collector), created on first sight, so incidents, thresholds, allowlist and
// mitigation work on it as on an agent's node. Exporter status is the collector's latest
// report; top talkers are per flow node, one row per source per report interval.
export function flows(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('nodes').addColumn('kind', 'text', (c) => c.notNull().defaultTo('agent')).execute();
      await db.schema.alterTable('nodes').addColumn('parent_node_id', 'bigint').execute();
      await db.schema.alterTable('nodes').addColumn('flow_networks', 'text').execute(); // JSON string[] (collectors)
      await db.schema.createIndex('nodes_parent').on('nodes').columns(['parent_node_id', 'ip']).execute();

      await db.schema
        .createTable('flow_exporters')
        .addColumn('collector_node_id', 'bigint', (c) => c.notNull())
        .addColumn('exporter', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // JSON: decoder status + receive drops
        .addColumn('last_datagram_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_exporters_pk', ['collector_node_id', 'exporter'])
        .execute();

      await db.schema
        .createTable('flow_talkers')
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull()) // end of the report interval
        .addColumn('src', 'text', (c) => c.notNull())
        .addColumn('packets', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_talkers_pk', ['node_id', 'ts', 'src'])
        .execute();
    },
  };
}
