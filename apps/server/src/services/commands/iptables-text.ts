// Field agents of the reference's agent API apply a pending command of `command_type:
// "iptables"` (paths.md). Each firewall intent is rendered here to an iptables-restore
// document (`*filter`, the rules, `COMMIT`) built from the typed, already validated values
// only: addresses re-printed from their parsed bits, numbers as integers, protocols from a
// fixed table. No string that came with the request is ever pasted into the text. IPv6
// targets (and icmpv6) come as `command_type: "ip6tables"`, for ip6tables-restore.
// iptables has no TTL: a field agent keeps the rule until it is told otherwise; Breakwater's
// own agent acts on the signed typed payload instead and removes it when its TTL ends.
import { formatPrefix, parsePrefix, type FirewallCommandType } from '@breakwater/contracts';

export interface FieldCommand {
  command_type: 'iptables' | 'ip6tables';
  command_text: string;
}

/** hashlimit's highest rate: iptables refuses more than 1,000,000/second ("Rate too fast"). */
export const HASHLIMIT_MAX_PPS = 1_000_000;

const PROTOCOLS: Record<string, { family: 4 | 6; name: string }> = {
  tcp: { family: 4, name: 'tcp' },
  udp: { family: 4, name: 'udp' },
  icmp: { family: 4, name: 'icmp' },
  gre: { family: 4, name: 'gre' },
  esp: { family: 4, name: 'esp' },
  sctp: { family: 4, name: 'sctp' },
  icmpv6: { family: 6, name: 'ipv6-icmp' },
};

const int = (v: unknown, min: number, max: number): number | null => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : null);

function doc(family: 4 | 6, rules: string[]): FieldCommand {
  return { command_type: family === 4 ? 'iptables' : 'ip6tables', command_text: `*filter\n${rules.join('\n')}\nCOMMIT\n` };
}

/** The iptables-restore form of a firewall intent, or null when its values do not render (never half a rule). */
export function iptablesText(commandId: number, type: FirewallCommandType, params: Record<string, unknown>): FieldCommand | null {
  const id = int(commandId, 1, Number.MAX_SAFE_INTEGER);
  if (id === null) return null;
  const tag = `-m comment --comment bw-cmd-${id}`;
  const limit = (pps: number) => {
    const rate = Math.min(pps, HASHLIMIT_MAX_PPS);
    return `-m hashlimit --hashlimit-above ${rate}/second --hashlimit-burst ${rate} --hashlimit-name bw${id}`;
  };
  switch (type) {
    case 'block_source':
    case 'block_prefix': {
      const raw = type === 'block_source' ? params.address : params.prefix;
      const p = typeof raw === 'string' ? parsePrefix(raw) : null;
      if (!p) return null;
      return doc(p.family, [`-I INPUT -s ${formatPrefix(p)} ${tag} -j DROP`]);
    }
    case 'drop_port': {
      const proto = params.protocol === 'tcp' || params.protocol === 'udp' ? params.protocol : null;
      const port = int(params.port, 1, 65535);
      if (!proto || port === null) return null;
      return doc(4, [`-I INPUT -p ${proto} --dport ${port} ${tag} -j DROP`]);
    }
    case 'drop_protocol': {
      const proto = typeof params.protocol === 'string' ? PROTOCOLS[params.protocol] : undefined;
      if (!proto) return null;
      return doc(proto.family, [`-I INPUT -p ${proto.name} ${tag} -j DROP`]);
    }
    case 'rate_limit': {
      const proto = params.protocol === 'tcp' || params.protocol === 'udp' || params.protocol === 'icmp' ? params.protocol : null;
      const port = int(params.port ?? 0, 0, 65535);
      const pps = int(params.pps, 1, 100_000_000);
      if (!proto || port === null || pps === null) return null;
      const dport = port > 0 && proto !== 'icmp' ? ` --dport ${port}` : '';
      return doc(4, [`-I INPUT -p ${proto}${dport} ${limit(pps)} ${tag} -j DROP`]);
    }
    case 'syn_protection': {
      const pps = int(params.pps, 1, 100_000_000);
      if (pps === null) return null;
      return doc(4, [`-I INPUT -p tcp --syn ${limit(pps)} ${tag} -j DROP`]);
    }
  }
}
