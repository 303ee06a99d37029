import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Deploying agents: SSH private keys registered once (sealed by the secret box), the host keys
// deploys have seen (pinned or trusted on first use, recorded with who did it), single-use
// enrolment keys for the install one-liner, and deploy jobs with their steps.
export function fleetDeploy(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ssh_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_type', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull()) // enc:v1: sealed
        .addColumn('passphrase', 'text') // enc:v1: sealed, or null
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('ssh_keys_ws_name', ['workspace_id', 'name'])
        .execute();

      await db.schema
        .createTable('known_hosts')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('key_type', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('trust', 'text', (c) => c.notNull()) // pinned | tofu
        .addColumn('recorded_by', 'text')
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('known_hosts_pk', ['workspace_id', 'host', 'port'])
        .execute();

      await db.schema
        .createTable('enrolment_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('digest', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        // Set once, by the one request that fetched the script; a second fetch finds it set.
        .addColumn('used_at', 'bigint')
        // The script's own credential for the bundle and the enrolment (digest), valid until the key's expiry.
        .addColumn('ticket_digest', 'text', (c) => c.unique())
        .addColumn('enrolled_at', 'bigint')
        .addColumn('node_uuid', 'text')
        .execute();

      await db.schema
        .createTable('deploy_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('ssh_user', 'text', (c) => c.notNull())
        .addColumn('ssh_key', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('host_key_fingerprint', 'text')
        .addColumn('host_key_trust', 'text')
        .addColumn('status', 'text', (c) => c.notNull()) // running | deployed | failed
        .addColumn('steps', 'text', (c) => c.notNull()) // JSON DeployStep[]
        .addColumn('error', 'text')
        .addColumn('node_uuid', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('deploy_jobs_ws_created').on('deploy_jobs').columns(['workspace_id', 'created_at']).execute();
    },
  };
}
