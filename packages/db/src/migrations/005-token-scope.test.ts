// Deploy tokens that exist before scopes keep what they could do (operator); API tokens get none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS } from '@breakwater/testing';
import { openDatabase } from '../database.ts';
import * as tokens from '../repos/tokens.ts';
import * as workspaces from '../repos/workspaces.ts';
import { tokenScope } from './005-token-scope.ts';

for (const backend of BACKENDS) {
  describe(`005-token-scope on ${backend.name}`, () => {
    test('existing deploy tokens become operator, API tokens have no scope, new rows keep the scope they are given', async () => {
      const env = await backend.setup();
      const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
      try {
        const db = database.db;
        await workspaces.insertWorkspace(db, { id: 'ws1', name: 'w', plan: 'self-hosted', node_quota: 10, rate_limit_per_min: 1000, settings: '{}', created_at: 1 });
        // The table as it was before this migration, with a token of each kind in it.
        await sql`ALTER TABLE tokens DROP COLUMN scope`.execute(db);
        for (const [id, kind, role] of [['t-api', 'api', 'admin'], ['t-deploy', 'deploy', 'operator']]) {
          await sql`INSERT INTO tokens (id, workspace_id, kind, name, role, digest, prefix, created_by, created_at, last_used_at, revoked_at)
            VALUES (${id}, 'ws1', ${kind}, ${id}, ${role}, ${`digest-${id}`}, 'bw', NULL, 1, NULL, NULL)`.execute(db);
        }
        await tokenScope(database.dialect).up(db);
        const scopes = Object.fromEntries((await tokens.listTokens(db, 'ws1')).map((t) => [t.id, t.scope]));
        assert.deepEqual(scopes, { 't-api': null, 't-deploy': 'operator' });
        await tokens.insertToken(db, {
          id: 't-new', workspace_id: 'ws1', kind: 'deploy', name: 'n', role: 'operator', scope: 'register', digest: 'digest-new', prefix: 'bw',
          created_by: null, created_at: 2, last_used_at: null, revoked_at: null,
        });
        assert.equal((await tokens.findTokenByDigest(db, 'digest-new'))?.scope, 'register');
      } finally {
        await database.close();
        await env.cleanup();
      }
    });
  });
}
