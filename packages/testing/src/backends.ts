import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './postgres.ts';

/** A storage backend a suite runs against: the config to open it and how to clean up. */
export interface TestBackend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<{ dataDir: string; databaseUrl: string | undefined; cleanup: () => Promise<void> }>;
}

export const sqliteBackend: TestBackend = {
  name: 'sqlite',
  async setup() {
    const dataDir = mkdtempSync(join(tmpdir(), 'bw-test-'));
    return { dataDir, databaseUrl: undefined, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

export const postgresBackend: TestBackend = {
  name: 'postgres',
  async setup() {
    const dataDir = mkdtempSync(join(tmpdir(), 'bw-test-'));
    const { url, drop } = await createTestDatabase();
    return {
      dataDir,
      databaseUrl: url,
      cleanup: async () => {
        await drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

/** Every suite that touches storage runs on both engines. */
export const BACKENDS: TestBackend[] = [sqliteBackend, postgresBackend];
