import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// One node's overrides of the settings the workspace sends every agent (GET /api/v1/agent/config:
// attack cooldown and hold-down, attack captures), set from the dashboard's nodes page. JSON; null
// (every node before this) means the workspace's settings apply as they are.
export function nodeAgentSettings(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('nodes').addColumn('agent_settings', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('nodes').dropColumn('agent_settings').execute();
    },
  };
}
