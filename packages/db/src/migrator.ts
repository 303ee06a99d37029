import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { DialectName } from './dialect-name.ts';
import { initial } from './migrations/001-initial.ts';
import { pcapAnalysis } from './migrations/002-pcap-analysis.ts';
import { alerting } from './migrations/003-alerting.ts';
import { mitigation } from './migrations/004-mitigation.ts';
import { tokenScope } from './migrations/005-token-scope.ts';
import { lateSamples } from './migrations/006-late-samples.ts';

// Ordered by name; never edit a released migration, add the next one.
const MIGRATIONS: Record<string, (d: DialectName) => Migration> = {
  '001-initial': initial,
  '002-pcap-analysis': pcapAnalysis,
  '003-alerting': alerting,
  '004-mitigation': mitigation,
  '005-token-scope': tokenScope,
  '006-late-samples': lateSamples,
};

class InCodeProvider implements MigrationProvider {
  readonly #dialect: DialectName;
  constructor(dialect: DialectName) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(this.#dialect)]));
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
