// CIDR prefixes as the speakers want them, checked before anything reaches a daemon's command
// line or config file (nothing unchecked is ever written into BIRD or vtysh input).
import { isIP } from 'node:net';
import { AdapterError } from '../../adapter.ts';

export interface Prefix { family: 4 | 6; addr: string; len: number; text: string }

export function parsePrefix(text: string, what = 'prefix'): Prefix {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(typeof text === 'string' ? text : '');
  const fam = m ? isIP(m[1]!) : 0;
  const len = m ? Number(m[2]) : -1;
  if (!m || fam === 0 || len > (fam === 4 ? 32 : 128)) throw new AdapterError(`${what}: "${String(text)}" is not an IPv4 or IPv6 CIDR prefix`, false);
  const family = fam as 4 | 6;
  const addr = m[1]!.toLowerCase();
  return { family, addr, len, text: `${addr}/${len}` };
}

/** Parses without throwing: decoders of daemon output use it on untrusted text. */
export function tryPrefix(text: string): Prefix | null {
  try { return parsePrefix(text); } catch { return null; }
}
