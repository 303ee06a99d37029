import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';

// A capture's packet count and forensic analysis are computed once, on first request,
// and kept with it: the file never changes after upload.
export function pcapAnalysis(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('pcaps').addColumn('packet_count', 'bigint').execute();
      await db.schema.alterTable('pcaps').addColumn('analysis', 'text').execute();
      await db.schema.alterTable('pcaps').addColumn('analysis_at', 'bigint').execute();
    },
  };
}
