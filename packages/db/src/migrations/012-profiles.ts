import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Firewall profiles applied to nodes: what was sent (rules), by whom, and the commands that
// carry the apply and the rollback (their acknowledgements are the state).
export function profiles(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('profile_applications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('suite', 'text', (c) => c.notNull())
        .addColumn('rules', 'text', (c) => c.notNull())
        .addColumn('rule_count', 'integer', (c) => c.notNull())
        .addColumn('command_id', 'integer')
        .addColumn('rollback_command_id', 'integer')
        .addColumn('applied_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('profile_applications_node').on('profile_applications').columns(['workspace_id', 'node_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('profile_applications').execute();
    },
  };
}
