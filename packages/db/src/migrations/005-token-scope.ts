import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// Deploy tokens get a scope: `register` (POST /api/deploy only) or `operator` (also REST v1 as
// an operator, the reference's wider use). API tokens have none (null). Deploy tokens that
// exist already keep what they could do (operator): narrowing them here would break the
// integrations that use them without a word; the README says how to replace them.
export function tokenScope(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('scope', 'text').execute();
      await sql`UPDATE tokens SET scope = 'operator' WHERE kind = 'deploy'`.execute(db);
    },
  };
}
