// CIDR prefixes as speakers and providers want them, checked (by contracts' one parser) before
// anything reaches a daemon's command line, a config file or a provider's API: the adapters' edge,
// where a bad prefix becomes a permanent AdapterError. The text is kept as written (lower case),
// and only address characters pass, so nothing unchecked is ever written into BIRD or vtysh input.
import { parsePrefix } from '@breakwater/contracts';
import { AdapterError } from '../adapter.ts';

export interface RulePrefix { family: 4 | 6; addr: string; len: number; text: string }

/** Parses "addr/len"; null when it is not one. Decoders of daemon output use it on untrusted text. */
export function tryPrefix(text: string): RulePrefix | null {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(typeof text === 'string' ? text : '');
  const p = m ? parsePrefix(text) : null;
  if (!m || !p) return null;
  const addr = m[1]!.toLowerCase();
  return { family: p.family, addr, len: p.len, text: `${addr}/${p.len}` };
}

/** As tryPrefix, but a bad prefix is a permanent AdapterError naming `what`. */
export function requirePrefix(text: string, what = 'prefix'): RulePrefix {
  const p = tryPrefix(text);
  if (!p) throw new AdapterError(`${what}: "${String(text)}" is not an IPv4 or IPv6 CIDR prefix`, false);
  return p;
}

/** A host route, which most appliances write as the bare address. */
export const isHost = (p: RulePrefix) => p.len === (p.family === 4 ? 32 : 128);
