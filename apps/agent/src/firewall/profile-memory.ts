// What a profile firewall remembers of the state before each apply not yet rolled back: a stack,
// kept in memory and, when the agent gives a file (in its spool dir), written there after each
// change (JSON, mode 0600, temporary file then rename: never half-written, never public), and
// read back when the agent starts again, so a rollback after a restart restores the old state.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { FirewallSuite } from '@breakwater/contracts';
import { FirewallError } from './firewall-executor.ts';

/** The spool-dir file a suite's memory lives in. */
export function profileMemoryFile(dir: string, suite: FirewallSuite): string {
  return `${dir.replace(/\/+$/, '')}/profile-previous-${suite}.json`;
}

export class ProfileMemory<T> {
  readonly #file: string | undefined;
  readonly #suite: FirewallSuite;
  readonly #stack: T[];

  constructor(suite: FirewallSuite, file?: string) {
    this.#suite = suite;
    this.#file = file;
    this.#stack = file && existsSync(file) ? ProfileMemory.#read<T>(file, suite) : [];
  }

  static #read<T>(file: string, suite: FirewallSuite): T[] {
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FirewallError(`${file}: the saved firewall state cannot be read (${(e as Error).message})`);
    }
    const s = saved as { suite?: unknown; previous?: unknown };
    if (s.suite !== suite || !Array.isArray(s.previous)) throw new FirewallError(`${file}: not a saved ${suite} profile state`);
    return s.previous as T[];
  }

  get size(): number {
    return this.#stack.length;
  }

  /** Oldest first: the first entry is the state before any profile. */
  all(): readonly T[] {
    return this.#stack;
  }

  top(): T | undefined {
    return this.#stack.at(-1);
  }

  push(state: T): void {
    this.#stack.push(state);
    this.#write();
  }

  pop(): void {
    this.#stack.pop();
    this.#write();
  }

  #write(): void {
    if (!this.#file) return;
    const tmp = `${this.#file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ suite: this.#suite, previous: this.#stack }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.#file);
  }
}
