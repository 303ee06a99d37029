import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Mitigation: adapters (BGP speakers, appliances, clouds), the rules announced through them
// with their whole life (who, why, when, until when), the escalation policy, per-host
// thresholds and the allowlist that always wins.
export function mitigation(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mitigation_adapters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('adapter_type', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('auth_token', 'text')
        .addColumn('config', 'text', (c) => c.notNull()) // JSON options
        .addColumn('capabilities', 'text', (c) => c.notNull()) // JSON Capability[]
        .addColumn('max_active_rules', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // unknown | up | down
        .addColumn('last_test_at', 'bigint')
        .addColumn('last_latency_ms', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('adapters_ws').on('mitigation_adapters').columns(['workspace_id', 'created_at']).execute();

      await db.schema
        .createTable('mitigation_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('adapter_id', 'text') // null for local firewall rules (carried by the node's agent)
        .addColumn('node_id', 'bigint')
        .addColumn('incident_id', 'bigint')
        .addColumn('intent_type', 'text', (c) => c.notNull()) // blackhole | flowspec | scrubbing | firewall
        .addColumn('target_ip', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull()) // JSON RuleSpec (or the firewall command)
        .addColumn('rule_key', 'text', (c) => c.notNull())
        // pending | active | withdrawing | withdrawn | expired | failed | dry_run
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull())
        .addColumn('tier', 'text')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('ttl_seconds', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('command_id', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('announced_at', 'bigint')
        .addColumn('expires_at', 'bigint') // null: no expiry (ttl 0)
        .addColumn('withdraw_after', 'bigint') // hold-down after the incident resolved
        .addColumn('withdrawn_at', 'bigint')
        .addColumn('withdrawn_by', 'text')
        .addColumn('withdraw_reason', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX rules_ws_status ON mitigation_rules (workspace_id, status, created_at)`.execute(db);
      await db.schema.createIndex('rules_adapter_status').on('mitigation_rules').columns(['adapter_id', 'status']).execute();
      await db.schema.createIndex('rules_incident').on('mitigation_rules').column('incident_id').execute();
      await db.schema.createIndex('rules_due').on('mitigation_rules').columns(['status', 'expires_at']).execute();

      await db.schema
        .createTable('escalation_policies')
        .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('host_thresholds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('target_ip', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('thresholds', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('thresholds_ws_target').on('host_thresholds').columns(['workspace_id', 'target_ip']).unique().execute();

      await db.schema
        .createTable('allowlist')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('node_id', 'bigint') // null: workspace scope
        .addColumn('ip_address', 'text', (c) => c.notNull()) // canonical prefix
        .addColumn('label', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('allowlist_ws').on('allowlist').columns(['workspace_id', 'created_at']).execute();
    },
  };
}
