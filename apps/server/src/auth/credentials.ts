// Credentials are 256-bit random values shown once. We store only their SHA-256
// digest: with that much entropy a digest cannot be reversed or guessed, and the
// lookup by digest never touches the secret itself. Passwords use scrypt (memory-hard).
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export type CredentialKind = 'api' | 'deploy' | 'session' | 'node';

const PREFIX: Record<Exclude<CredentialKind, 'node'>, string> = { api: 'bwa_', deploy: 'bwd_', session: 'bws_' };

export function newSecret(kind: CredentialKind): string {
  const hex = randomBytes(32).toString('hex');
  // Node keys are bare 64-hex strings: agents in the field validate that shape.
  return kind === 'node' ? hex : PREFIX[kind] + hex;
}

export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function constantTimeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, 10);
}

// 32 MiB per hash: memory-hard enough to make offline guessing costly, cheap enough
// for a login endpoint on a 2-core machine.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer, o: ScryptOptions & { keylen: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, o.keylen, o, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), {
    N: Number(n), r: Number(r), p: Number(p), keylen: expected.length, maxmem: SCRYPT.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}
