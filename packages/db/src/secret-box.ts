// Secrets at rest (channel and adapter configs): AES-256-GCM with a key from the server's
// config. Stored as `enc:v1:<base64 of iv | tag | ciphertext>`, bound to the column and row
// it belongs to; a value without the prefix is an old plaintext row, read as it is and
// encrypted on its next write.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Db } from './database.ts';

const PREFIX = 'enc:v1:';

export class SecretBox {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`secret key: must be 32 bytes, got ${key.length}`);
    this.#key = key;
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(context));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  open(stored: string, context: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new Error(`cannot decrypt ${context}: the secret key is not the one it was stored with`);
    }
  }
}

export const isSealed = (v: string | null) => v !== null && v.startsWith(PREFIX);

/** A key given as 64 hex characters or base64 of 32 bytes (a file may hold it with a newline, or as 32 raw bytes). */
export function parseSecretKey(text: string | Buffer, where: string): Buffer {
  if (Buffer.isBuffer(text) && text.length === 32) return text;
  const s = text.toString().trim();
  const key = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (key.length !== 32) throw new Error(`${where}: must hold a 256-bit key as 64 hex characters or base64 of 32 bytes`);
  return key;
}

/** Reads the key file, or creates it once (mode 0600) when it does not exist. Returns whether it was created. */
export function loadOrCreateKeyFile(path: string): { key: Buffer; created: boolean } {
  if (existsSync(path)) return { key: parseSecretKey(readFileSync(path), path), created: false };
  const key = randomBytes(32);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, key.toString('hex') + '\n');
  } finally {
    closeSync(fd);
  }
  return { key, created: true };
}

// The box of each open database: repositories receive only the handle, and a transaction
// of that database shares its executor's box through the root handle it was opened from.
const boxes = new WeakMap<object, SecretBox>();

export function attachSecretBox(db: Db, box: SecretBox): void {
  boxes.set(db, box);
}

export function secretBoxOf(db: Db): SecretBox | undefined {
  return boxes.get(db);
}
