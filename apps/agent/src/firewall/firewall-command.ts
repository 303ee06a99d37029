// A firewall command's parameters checked once, for every executor: addresses and prefixes by
// contracts' one parser, numbers by range, protocols from a fixed list. What comes out is safe to
// write into a firewall's own syntax; anything else is a FirewallError naming the field.
import { parseAddress, parsePrefix } from '@breakwater/contracts/plain';
import { FirewallError, type FirewallCommandType } from './firewall-executor.ts';

export const FIREWALL_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'esp', 'sctp'] as const;
export type FirewallProtocol = (typeof FIREWALL_PROTOCOLS)[number];

interface Common {
  ttl: number;
  /** Tags the rule with its command (`bw-cmd-ID`). */
  comment: string;
}

export type CheckedCommand = Common & (
  | { type: 'block_source' | 'block_prefix'; family: 4 | 6; address: string }
  | { type: 'drop_port'; protocol: 'tcp' | 'udp'; port: number }
  | { type: 'drop_protocol'; protocol: FirewallProtocol }
  | { type: 'rate_limit'; protocol: FirewallProtocol; port: number; pps: number; perSource: boolean }
  | { type: 'syn_protection'; pps: number }
);

const PROTO = new Set<string>(FIREWALL_PROTOCOLS);

const int = (v: unknown, min: number, max: number, what: string): number => {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new FirewallError(`${what}: must be an integer from ${min} to ${max}`);
  return v as number;
};

const proto = (v: unknown): FirewallProtocol => {
  if (typeof v !== 'string' || !PROTO.has(v)) throw new FirewallError(`protocol: must be one of ${FIREWALL_PROTOCOLS.join(', ')}`);
  return v as FirewallProtocol;
};

// The address is written as given (a prefix's host bits too: the firewall clears them itself).
function address(v: unknown, prefix: boolean): { family: 4 | 6; text: string } {
  const s = String(v);
  const slash = prefix ? s.indexOf('/') : -1;
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const a = parseAddress(addr);
  if (!a) throw new FirewallError(`${prefix ? 'prefix' : 'address'}: not an IP address: ${JSON.stringify(s)}`);
  if (!prefix) return { family: a.family, text: addr };
  const p = slash >= 0 ? parsePrefix(s) : null;
  if (!p) throw new FirewallError(`prefix length: must be an integer from 0 to ${a.family === 4 ? 32 : 128}`);
  return { family: p.family, text: `${addr}/${p.len}` };
}

export function checkFirewallCommand(commandId: number, type: FirewallCommandType, params: Record<string, unknown>): CheckedCommand {
  const p = params;
  const ttl = int(p.ttl ?? 600, 1, 7 * 86_400, 'ttl');
  const comment = `bw-cmd-${int(commandId, 1, Number.MAX_SAFE_INTEGER, 'command id')}`;
  switch (type) {
    case 'block_source':
    case 'block_prefix': {
      const a = address(type === 'block_source' ? p.address : p.prefix, type === 'block_prefix');
      return { ttl, comment, type, family: a.family, address: a.text };
    }
    case 'drop_port': {
      const pr = proto(p.protocol);
      if (pr !== 'tcp' && pr !== 'udp') throw new FirewallError('protocol: must be tcp or udp');
      return { ttl, comment, type, protocol: pr, port: int(p.port, 1, 65535, 'port') };
    }
    case 'drop_protocol':
      return { ttl, comment, type, protocol: proto(p.protocol) };
    case 'rate_limit': {
      const protocol = proto(p.protocol);
      const port = int(p.port ?? 0, 0, 65535, 'port');
      if (p.per_source !== undefined && typeof p.per_source !== 'boolean') throw new FirewallError('per_source: must be true or false');
      return { ttl, comment, type, protocol, port, pps: int(p.pps, 1, 100_000_000, 'pps'), perSource: p.per_source === true };
    }
    case 'syn_protection':
      return { ttl, comment, type, pps: int(p.pps, 1, 100_000_000, 'pps') };
    default:
      throw new FirewallError(`unknown command type ${String(type)}`);
  }
}
