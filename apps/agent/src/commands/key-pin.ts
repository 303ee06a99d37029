// Which key the agent trusts to sign commands. Enrolled agents have it in their config
// (`command_public_key`, from the enrolment reply). Agents enrolled before commands were
// signed fetch it once over their authenticated channel (GET agent/config, node key, TLS) and
// pin it on first use in <spool_dir>/command-key.pub, logged with its fingerprint; from then
// on the pinned key alone counts, whatever a later config says. Until a key is pinned, no
// command runs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePublicKey } from './command-verifier.ts';

export const PIN_FILE = 'command-key.pub';

export function keyFingerprint(publicKey: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The pinned key: the config's, else the one pinned on first use, else null. */
export function pinnedKey(configKey: string | undefined, stateDir: string): string | null {
  if (configKey) return configKey;
  const path = join(stateDir, PIN_FILE);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8').trim();
  return parsePublicKey(text) ? text : null;
}

/** Writes the first key seen (trust on first use); returns whether it is a key worth pinning. */
export function pinOnFirstUse(publicKey: string, stateDir: string, log: (m: string) => void): boolean {
  if (!parsePublicKey(publicKey)) {
    log('command key from the server is not an Ed25519 public key; not pinned');
    return false;
  }
  const path = join(stateDir, PIN_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${publicKey}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  log(`pinned the server's command key on first use (${keyFingerprint(publicKey)}) in ${path}: enrolled before command signing; commands signed by any other key are refused from now on`);
  return true;
}
