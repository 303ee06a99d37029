import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Columns typed so the same statements run on both engines: bigint for ms timestamps,
// integer 0/1 for booleans, text for JSON.
export function initial(dialect: DialectName): Migration {
  const serialId = dialect === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('node_quota', 'integer', (c) => c.notNull())
        .addColumn('rate_limit_per_min', 'integer', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('digest', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('nodes')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('uuid', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('location', 'text')
        .addColumn('os', 'text')
        .addColumn('interface', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('api_key_digest', 'text', (c) => c.notNull().unique())
        .addColumn('agent_version', 'text')
        .addColumn('pps_threshold', 'bigint')
        .addColumn('bps_threshold', 'bigint')
        .addColumn('baseline_p99_pps', 'double precision')
        .addColumn('baseline_mean_pps', 'double precision')
        .addColumn('last_seen_at', 'bigint')
        .addColumn('last_pps', 'bigint')
        .addColumn('last_bps', 'bigint')
        .addColumn('last_tcp_pct', 'double precision')
        .addColumn('last_udp_pct', 'double precision')
        .addColumn('last_icmp_pct', 'double precision')
        .addColumn('last_conn_count', 'bigint')
        .addColumn('last_metrics_at', 'bigint')
        .addColumn('uptime_seconds', 'bigint')
        .addColumn('agent_info', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      // Names are unique among a workspace's live nodes only: a soft-deleted node frees its name.
      await sql`CREATE UNIQUE INDEX nodes_workspace_name ON nodes (workspace_id, name) WHERE deleted_at IS NULL`.execute(db);

      await db.schema
        .createTable('incidents')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('uuid', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('node_id', 'bigint', (c) => c.notNull().references('nodes.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attack_family', 'text', (c) => c.notNull())
        .addColumn('attack_subtype', 'text')
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('peak_pps', 'bigint', (c) => c.notNull())
        .addColumn('peak_bps', 'bigint', (c) => c.notNull())
        .addColumn('source_ip_count', 'bigint')
        .addColumn('spoofing_detected', 'integer', (c) => c.notNull())
        .addColumn('botnet_detected', 'integer', (c) => c.notNull())
        .addColumn('confidence', 'double precision')
        .addColumn('protocol_breakdown', 'text', (c) => c.notNull())
        .addColumn('tcp_flag_breakdown', 'text', (c) => c.notNull())
        .addColumn('geo_breakdown', 'text', (c) => c.notNull())
        .addColumn('top_src_ips', 'text', (c) => c.notNull())
        .addColumn('top_dst_ports', 'text', (c) => c.notNull())
        .addColumn('ioc_matches', 'text', (c) => c.notNull())
        .addColumn('extra', 'text', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('duration_seconds', 'bigint')
        .execute();
      // One active incident per node and family: a retried "open" finds the existing one.
      await sql`CREATE UNIQUE INDEX incidents_one_active ON incidents (node_id, attack_family) WHERE status = 'active'`.execute(db);
      await db.schema.createIndex('incidents_ws_started').on('incidents').columns(['workspace_id', 'started_at']).execute();

      await db.schema
        .createTable('metrics')
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('pps', 'bigint', (c) => c.notNull())
        .addColumn('bps', 'bigint', (c) => c.notNull())
        .addColumn('tcp_pct', 'double precision')
        .addColumn('udp_pct', 'double precision')
        .addColumn('icmp_pct', 'double precision')
        .addColumn('conn_count', 'bigint')
        .addPrimaryKeyConstraint('metrics_pk', ['node_id', 'ts'])
        .execute();
      // No index on ts alone: it doubled the cost of every ingested sample. Roll-ups and
      // retention reach rows through the primary key, one node range at a time.

      for (const table of ['metrics_1m', 'metrics_1h']) {
        await db.schema
          .createTable(table)
          .addColumn('node_id', 'bigint', (c) => c.notNull())
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('samples', 'bigint', (c) => c.notNull())
          .addColumn('avg_pps', 'double precision', (c) => c.notNull())
          .addColumn('max_pps', 'bigint', (c) => c.notNull())
          .addColumn('avg_bps', 'double precision', (c) => c.notNull())
          .addColumn('max_bps', 'bigint', (c) => c.notNull())
          .addColumn('avg_tcp_pct', 'double precision')
          .addColumn('avg_udp_pct', 'double precision')
          .addColumn('avg_icmp_pct', 'double precision')
          .addColumn('max_conn_count', 'bigint')
          .addPrimaryKeyConstraint(`${table}_pk`, ['node_id', 'ts'])
          .execute();
        await db.schema.createIndex(`${table}_ts`).on(table).column('ts').execute();
      }

      await db.schema
        .createTable('channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('commands')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('node_id', 'bigint', (c) => c.notNull().references('nodes.id'))
        .addColumn('command_type', 'text', (c) => c.notNull())
        .addColumn('command_text', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('acked_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .execute();
      await db.schema.createIndex('commands_node_status').on('commands').columns(['node_id', 'status']).execute();

      await db.schema
        .createTable('pcaps')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('uuid', 'text', (c) => c.notNull().unique())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('node_id', 'bigint', (c) => c.notNull().references('nodes.id'))
        .addColumn('incident_id', 'bigint', (c) => c.references('incidents.id'))
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('pcap_uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'bigint', (c) => c.notNull())
        .addColumn('incident_id', 'bigint', (c) => c.notNull())
        .addColumn('chunk_total', 'integer', (c) => c.notNull())
        .addColumn('chunks_received', 'integer', (c) => c.notNull())
        .addColumn('bytes_received', 'bigint', (c) => c.notNull())
        .addColumn('dir', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', serialId, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_ws_time').on('audit_log').columns(['workspace_id', 'created_at']).execute();
    },
  };
}
