// The agent's own way to the server must survive any command: a block that covers an address
// the server URL resolves to would drop the server's replies, and the agent could then never
// be told to take it back. The server refuses such rules too; the agent checks again, because
// only it knows what its server URL resolves to right now.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parsePrefix, prefixesOverlap } from '@breakwater/contracts/plain';

/** How long resolved addresses are used before the name is looked up again. */
const REFRESH_MS = 5 * 60_000;

export interface ManagementPathDeps {
  serverUrl: string;
  now: () => number;
  /** All addresses of a host name; dns.lookup by default. */
  resolve?: (host: string) => Promise<string[]>;
}

export class ManagementPath {
  readonly #host: string;
  readonly #d: ManagementPathDeps;
  #addrs: string[] = [];
  #at = -Infinity;

  constructor(deps: ManagementPathDeps) {
    this.#d = deps;
    this.#host = new URL(deps.serverUrl).hostname.replace(/^\[|\]$/g, '');
  }

  /** The server's addresses (looked up again every few minutes; a failed lookup keeps the last ones). */
  async addresses(): Promise<string[]> {
    if (isIP(this.#host)) return [this.#host];
    const now = this.#d.now();
    if (now - this.#at < REFRESH_MS && this.#addrs.length > 0) return this.#addrs;
    const resolve = this.#d.resolve ?? (async (h: string) => (await lookup(h, { all: true })).map((a) => a.address));
    try {
      const addrs = await resolve(this.#host);
      if (addrs.length > 0) {
        this.#addrs = addrs;
        this.#at = now;
      }
    } catch {
      // keep what was known
    }
    return this.#addrs;
  }

  /** Why this command must not be applied here, or null. */
  async refusal(type: string, params: Record<string, unknown>): Promise<string | null> {
    if (type !== 'block_source' && type !== 'block_prefix') return null;
    const text = String(type === 'block_source' ? params.address : params.prefix);
    const target = parsePrefix(text);
    if (!target) return `not an address or prefix: ${JSON.stringify(text)}`;
    const addrs = await this.addresses();
    if (addrs.length === 0) return `the server host ${this.#host} does not resolve, so a block cannot be checked against the agent's path to it`;
    for (const a of addrs) {
      const p = parsePrefix(a);
      if (p && prefixesOverlap(p, target)) return `${text} covers ${a}, the server's address (${this.#host}): the agent would lose its server`;
    }
    return null;
  }
}
