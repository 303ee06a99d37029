// The nonces of every signed command this agent accepted, kept on disk so a command replayed
// after a restart is refused too. Bounded: a nonce is kept until its command expires (after
// that the expiry check refuses it anyway), and at most MAX_NONCES are kept — past that the
// ones expiring first go (with commands valid for an hour, that is more than a command every
// half second for the whole hour).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export const MAX_NONCES = 10_000;

export class NonceStore {
  readonly #path: string;
  readonly #now: () => number;
  /** nonce → expires_at (epoch ms) */
  readonly #seen = new Map<string, number>();

  constructor(path: string, now: () => number, log: (m: string) => void = () => undefined) {
    this.#path = path;
    this.#now = now;
    if (!existsSync(path)) return;
    try {
      const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      for (const [n, exp] of Object.entries(raw)) if (typeof exp === 'number') this.#seen.set(n, exp);
    } catch (err) {
      // Unreadable: start empty rather than refuse every command; the expiry check still bounds any replay.
      log(`command nonces: ${path} unreadable (${(err as Error).message}); starting empty`);
    }
  }

  has(nonce: string): boolean {
    return this.#seen.has(nonce);
  }

  /** Records a nonce and writes the store (temporary file, then rename) before the command runs. */
  add(nonce: string, expiresAt: number): void {
    const now = this.#now();
    for (const [n, exp] of this.#seen) if (exp < now) this.#seen.delete(n);
    this.#seen.set(nonce, expiresAt);
    if (this.#seen.size > MAX_NONCES) {
      const byExpiry = [...this.#seen].sort((a, b) => a[1] - b[1]);
      for (const [n] of byExpiry.slice(0, this.#seen.size - MAX_NONCES)) this.#seen.delete(n);
    }
    const tmp = `${this.#path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.#seen)), { mode: 0o600 });
    renameSync(tmp, this.#path);
  }

  get size(): number {
    return this.#seen.size;
  }
}
