import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { DialectName } from './dialect-name.ts';
import { initial } from './migrations/001-initial.ts';
import { pcapAnalysis } from './migrations/002-pcap-analysis.ts';
import { alerting } from './migrations/003-alerting.ts';
import { mitigation } from './migrations/004-mitigation.ts';
import { tokenScope } from './migrations/005-token-scope.ts';
import { lateSamples } from './migrations/006-late-samples.ts';
import { fleetHost } from './migrations/009-fleet-host.ts';
import { scrubbing } from './migrations/007-scrubbing.ts';
import { fleetCommands } from './migrations/008-fleet-commands.ts';
import { fleetDeploy } from './migrations/010-fleet-deploy.ts';
import { flows } from './migrations/011-flows.ts';
import { profiles } from './migrations/012-profiles.ts';
import { runbooks } from './migrations/013-runbooks.ts';
import { cluster } from './migrations/014-cluster.ts';
import { metricPartitions } from './migrations/015-metric-partitions.ts';
import { nodeAgentSettings } from './migrations/016-node-agent-settings.ts';
import { clusterFrames } from './migrations/017-cluster-frames.ts';
import { agentLinks } from './migrations/018-agent-links.ts';

// Ordered by name; never edit a released migration, add the next one.
const MIGRATIONS: Record<string, (d: DialectName) => Migration> = {
  '001-initial': initial,
  '002-pcap-analysis': pcapAnalysis,
  '003-alerting': alerting,
  '004-mitigation': mitigation,
  '005-token-scope': tokenScope,
  '006-late-samples': lateSamples,
  '009-fleet-host': fleetHost,
  '007-scrubbing': scrubbing,
  '008-fleet-commands': fleetCommands,
  '010-fleet-deploy': fleetDeploy,
  '011-flows': flows,
  '012-profiles': profiles,
  '013-runbooks': runbooks,
  '014-cluster': cluster,
  '015-metric-partitions': metricPartitions,
  '016-node-agent-settings': nodeAgentSettings,
  '017-cluster-frames': clusterFrames,
  '018-agent-links': agentLinks,
};

/** Every migration this version knows, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

class InCodeProvider implements MigrationProvider {
  readonly #dialect: DialectName;
  constructor(dialect: DialectName) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(this.#dialect)]));
  }
}

/** Migrates up to and including `name` only: tests of a migration over rows written before it. */
export async function migrateTo(db: Kysely<unknown>, dialect: DialectName, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: new InCodeProvider(dialect) }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
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
