import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// The fleet view of agents: the host each agent last reported (one row per node, replaced
// at every report), single-use stream tickets (stored, not kept in memory, so a ticket
// issued by one replica opens a stream on another and is spent once across them), and
// the record of every file transfer.
export function fleetHost(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('fleet_hosts')
        .addColumn('node_id', 'bigint', (c) => c.primaryKey())
        .addColumn('hostname', 'text')
        .addColumn('os', 'text')
        .addColumn('cpu_percent', 'double precision')
        .addColumn('mem_percent', 'double precision')
        .addColumn('disk_percent', 'double precision')
        .addColumn('load1', 'double precision')
        .addColumn('uptime_s', 'bigint')
        .addColumn('reported_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('fleet_stream_tickets')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        // who asked: user id or token id, so the role is checked again when the stream opens
        .addColumn('principal_kind', 'text', (c) => c.notNull())
        .addColumn('principal_ref', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('fleet_tickets_expiry').on('fleet_stream_tickets').column('expires_at').execute();
      await db.schema
        .createTable('fleet_transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull()) // download | upload
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint')
        .addColumn('sha256', 'text')
        .addColumn('status', 'text', (c) => c.notNull()) // running | done | failed
        .addColumn('error', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('fleet_transfers_node').on('fleet_transfers').columns(['node_id', 'created_at']).execute();
    },
  };
}
