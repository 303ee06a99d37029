// Sign-in is the one endpoint anyone may call, and each attempt costs a 32 MiB scrypt hash.
// Failed attempts are counted per account and per client address in a sliding window: past
// either limit the next attempt is refused before any hashing (429 with Retry-After). Only a
// few hashes run at once; one more is refused at once (503) rather than queued without bound.
// Unknown accounts are counted and hashed exactly like known ones, so neither the answer, its
// timing nor a lockout tells which emails exist.
import { randomBytes } from 'node:crypto';
import { hashPassword } from './credentials.ts';

export interface LoginGuardOptions {
  windowSeconds: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  maxConcurrentHashes: number;
  /** Keys remembered per log; past it the stalest go first (an attacker cannot grow memory without bound). */
  maxTracked?: number;
}

export interface LoginRefusal {
  scope: 'account' | 'address';
  retryAfterSeconds: number;
  message: string;
}

/** Failure times per key within a sliding window, at most `max` kept per key. */
class FailureLog {
  readonly #times = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(max: number, windowMs: number, maxKeys: number) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string, now: number): number {
    const t = this.#live(key, now);
    return t.length >= this.#max ? t[0]! + this.#windowMs - now : 0;
  }

  record(key: string, now: number): void {
    const t = this.#live(key, now);
    t.push(now);
    if (t.length > this.#max) t.shift();
    this.#times.delete(key); // re-inserted last: Map order is then least recently failed first
    this.#times.set(key, t);
    if (this.#times.size > this.#maxKeys) this.#evict(now);
  }

  clear(key: string): void {
    this.#times.delete(key);
  }

  #live(key: string, now: number): number[] {
    return (this.#times.get(key) ?? []).filter((at) => at > now - this.#windowMs);
  }

  #evict(now: number): void {
    for (const [k, t] of this.#times) if (t[t.length - 1]! <= now - this.#windowMs) this.#times.delete(k);
    for (const k of this.#times.keys()) {
      if (this.#times.size <= this.#maxKeys) break;
      this.#times.delete(k);
    }
  }
}

export class LoginGuard {
  readonly #accounts: FailureLog;
  readonly #addresses: FailureLog;
  readonly #maxHashes: number;
  #hashing = 0;
  #dummy: Promise<string> | undefined;

  constructor(o: LoginGuardOptions) {
    const windowMs = o.windowSeconds * 1000;
    this.#accounts = new FailureLog(o.maxFailuresPerAccount, windowMs, o.maxTracked ?? 100_000);
    this.#addresses = new FailureLog(o.maxFailuresPerAddress, windowMs, o.maxTracked ?? 100_000);
    this.#maxHashes = o.maxConcurrentHashes;
  }

  /** Why this attempt is refused before any hashing, or null when it may go on. */
  refusal(account: string, address: string, now: number): LoginRefusal | null {
    const a = this.#accounts.blockedFor(normalise(account), now);
    if (a > 0) return refusal('account', a, 'Too many failed sign-ins for this account');
    const b = this.#addresses.blockedFor(address, now);
    if (b > 0) return refusal('address', b, 'Too many failed sign-ins from this address');
    return null;
  }

  failed(account: string, address: string, now: number): void {
    this.#accounts.record(normalise(account), now);
    this.#addresses.record(address, now);
  }

  /** A success forgives the account's failures (not the address's: one known password must not reset a spray). */
  succeeded(account: string): void {
    this.#accounts.clear(normalise(account));
  }

  /** Runs `hash` if a slot is free; undefined at once when all slots are busy. */
  async tryHash<T>(hash: () => Promise<T>): Promise<T | undefined> {
    if (this.#hashing >= this.#maxHashes) return undefined;
    this.#hashing++;
    try {
      return await hash();
    } finally {
      this.#hashing--;
    }
  }

  /**
   * A real hash of a random password, made once with today's parameters: unknown accounts are
   * verified against it, so they cost exactly what a known account costs.
   */
  dummyHash(): Promise<string> {
    this.#dummy ??= hashPassword(randomBytes(16).toString('hex'));
    return this.#dummy;
  }
}

function normalise(account: string): string {
  return account.trim().toLowerCase();
}

function refusal(scope: LoginRefusal['scope'], ms: number, what: string): LoginRefusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000));
  return { scope, retryAfterSeconds, message: `${what}; try again in ${retryAfterSeconds} s` };
}
