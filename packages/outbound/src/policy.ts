// The one outbound policy: which addresses a call may reach. Public addresses always; loopback
// and private ranges only when granted (`reach`, from the operator's config per channel or
// adapter type); link-local, metadata and reserved addresses never.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { OutboundReach } from '@breakwater/contracts';
import { CLASS_WORDS, METADATA_NAMES, classifyAddress, type AddressClass } from './address-class.ts';

/** A destination the policy refuses. Not retryable: the same call is refused again. */
export class OutboundRefused extends Error {
  readonly code = 'EOUTBOUNDREFUSED';
  readonly address: string;
  readonly addressClass: AddressClass;
  constructor(host: string, address: string, cls: AddressClass, granted: boolean) {
    const where = host === address ? address : `${host} (${address})`;
    super(granted
      ? `${where} is ${CLASS_WORDS[cls]}`
      : cls === 'loopback' || cls === 'private'
        ? `${where} is ${CLASS_WORDS[cls]}, which the server's outbound config does not allow here`
        : `${where} is ${CLASS_WORDS[cls]}, which Breakwater never calls`);
    this.name = 'OutboundRefused';
    this.address = address;
    this.addressClass = cls;
  }
}

export interface ResolvedAddress { address: string; family: number }
/** Every address a name resolves to (tests inject one that answers what they need). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

const hostOf = (host: string) => host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();

/** Null when `address` may be reached with these grants. */
export function refusalOf(address: string, reach: readonly OutboundReach[], host = address): OutboundRefused | null {
  const cls = classifyAddress(address);
  if (cls === 'public') return null;
  if ((cls === 'loopback' || cls === 'private') && reach.includes(cls)) return null;
  return new OutboundRefused(host, address, cls, false);
}

/** What can be said without DNS: an IP literal's class, a metadata service's name. */
export function refusalOfHost(host: string, reach: readonly OutboundReach[]): OutboundRefused | null {
  const h = hostOf(host);
  if (METADATA_NAMES.has(h)) return new OutboundRefused(h, h, 'metadata', false);
  return isIP(h.replace(/%.*$/, '')) ? refusalOf(h, reach) : null;
}

/**
 * The check a config gets when it is saved: IP literals and metadata names, then every address the
 * name resolves to now. A name that does not resolve is not refused here (it may later); the call
 * itself checks again, on the addresses it connects to.
 */
export async function checkHost(host: string, reach: readonly OutboundReach[], resolve: Resolver = systemResolver): Promise<OutboundRefused | null> {
  const direct = refusalOfHost(host, reach);
  if (direct) return direct;
  const h = hostOf(host);
  if (isIP(h.replace(/%.*$/, ''))) return null;
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(h);
  } catch {
    return null;
  }
  for (const a of addresses) {
    const r = refusalOf(a.address, reach, h);
    if (r) return r;
  }
  return null;
}

/** checkHost for an http(s) URL; a message for a URL that is not one. */
export async function checkUrl(url: string, reach: readonly OutboundReach[], resolve?: Resolver): Promise<string | null> {
  if (!URL.canParse(url)) return 'is not a valid URL';
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL';
  const refused = await checkHost(u.hostname, reach, resolve);
  return refused ? refused.message : null;
}
