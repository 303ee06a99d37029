// Which destination addresses a collector protects: the operator's networks list. Flow records
// name their addresses as text; the verdict per address is cached (bounded) so the hot path
// parses an address once, not once per record.
import { formatPrefix, parsePrefix, prefixContains, type IpPrefix } from '@breakwater/contracts';

const CACHE_MAX = 65_536;

export class ProtectedNetworks {
  readonly prefixes: readonly IpPrefix[];
  readonly #cache = new Map<string, boolean>();

  /** Throws naming the entry when one is not an IPv4/IPv6 address or prefix. */
  constructor(networks: readonly string[], key = 'networks') {
    this.prefixes = networks.map((n, i) => {
      const p = parsePrefix(n);
      if (!p) throw new RangeError(`${key}[${i}]: must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.0/24), got ${JSON.stringify(n)}`);
      return p;
    });
  }

  /** The networks in canonical "address/len" form. */
  list(): string[] {
    return this.prefixes.map(formatPrefix);
  }

  contains(address: string): boolean {
    let v = this.#cache.get(address);
    if (v === undefined) {
      v = address !== '' && this.prefixes.some((p) => prefixContains(p, address));
      if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
      this.#cache.set(address, v);
    }
    return v;
  }
}
