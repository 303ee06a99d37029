import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Signed fleet commands: one Ed25519 key pair per workspace (the private half sealed by the
// secret box), and on each command what was signed and what came back — the nonce, the exact
// signed text and its signature, the process's exit code and its (capped) output.
export function fleetCommands(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('command_keys')
        .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('commands').addColumn('nonce', 'text').execute();
      await db.schema.alterTable('commands').addColumn('signed_body', 'text').execute();
      await db.schema.alterTable('commands').addColumn('signature', 'text').execute();
      await db.schema.alterTable('commands').addColumn('risk', 'text').execute();
      await db.schema.alterTable('commands').addColumn('exit_code', 'integer').execute();
      await db.schema.alterTable('commands').addColumn('output', 'text').execute();
    },
  };
}
