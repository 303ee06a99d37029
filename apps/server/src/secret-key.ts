// The key for secrets at rest: from the config (BREAKWATER_SECRET_KEY), from a key file
// (--secret-key-file), or else `<dataDir>/secret.key`, generated once with mode 0600.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateKeyFile, parseSecretKey } from '@breakwater/db';
import type { ServerConfig } from './config.ts';

export function resolveSecretKey(config: Pick<ServerConfig, 'secretKey' | 'secretKeyFile' | 'dataDir'>): { key: Buffer; createdAt: string | null } {
  if (config.secretKey) return { key: parseSecretKey(config.secretKey, 'secretKey (BREAKWATER_SECRET_KEY)'), createdAt: null };
  if (config.secretKeyFile) {
    let text: Buffer;
    try {
      text = readFileSync(config.secretKeyFile);
    } catch (err) {
      throw new Error(`config secretKeyFile: cannot read ${config.secretKeyFile} (${(err as Error).message})`);
    }
    return { key: parseSecretKey(text, `config secretKeyFile ${config.secretKeyFile}`), createdAt: null };
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const path = join(config.dataDir, 'secret.key');
  const { key, created } = loadOrCreateKeyFile(path);
  return { key, createdAt: created ? path : null };
}
