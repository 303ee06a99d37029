// Firewall intents applied with nftables. One table of the agent's own; blocks and drops
// are set elements with timeouts (the kernel removes them on time even if the agent
// dies), rate limits are rules tagged with their command. Scripts are fed to `nft -f -`
// with no shell, and built only from values checked here (addresses by node:net,
// numbers by range, protocols from a fixed list).
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import type { CommandParams, CommandType } from '@breakwater/contracts';

const TABLE = 'inet breakwater';
const CHAIN = 'guard';

export class FirewallError extends Error {}

export interface AppliedRule {
  /** How to take it back. */
  undo: string | { comment: string };
  ttlSeconds: number;
}

function run(args: string[], input?: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nft', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new FirewallError(`nft could not run: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new FirewallError(`nft failed (${code}): ${err.trim().split('\n').slice(0, 3).join(' | ')}`));
    });
    // nft exits without reading stdin when its arguments say everything (or it fails early):
    // the EPIPE that follows is not an error of ours, the exit code says how it went.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

const PROTO = new Set(['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'esp', 'sctp']);
const int = (v: unknown, min: number, max: number, what: string): number => {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new FirewallError(`${what}: must be an integer from ${min} to ${max}`);
  return v as number;
};
const proto = (v: unknown): string => {
  if (typeof v !== 'string' || !PROTO.has(v)) throw new FirewallError(`protocol: must be one of ${[...PROTO].join(', ')}`);
  return v;
};
function address(v: unknown, prefix: boolean): { family: 4 | 6; text: string } {
  const s = String(v);
  const [addr, len] = prefix ? s.split('/') : [s, undefined];
  const family = isIP(addr ?? '');
  if (family === 0) throw new FirewallError(`${prefix ? 'prefix' : 'address'}: not an IP address: ${JSON.stringify(s)}`);
  if (prefix) int(Number(len), 0, family === 4 ? 32 : 128, 'prefix length');
  return { family: family as 4 | 6, text: prefix ? `${addr}/${Number(len)}` : addr };
}

/** The agent's own TCP connection to the server: exempt from every rule, so no rate limit or port drop cuts it. */
export interface ManagementEndpoint {
  address: string;
  port: number;
}

function mgmtSet(name: string, family: 4 | 6, endpoints: ManagementEndpoint[]): string {
  const els = endpoints.filter((e) => isIP(e.address) === family && Number.isInteger(e.port) && e.port > 0 && e.port < 65536).map((e) => `${e.address} . ${e.port}`);
  return `set ${name} { type ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'} . inet_service;${els.length ? ` elements = { ${els.join(', ')} };` : ''} }`;
}

export class NftExecutor {
  async setup(management: ManagementEndpoint[] = []): Promise<void> {
    // One atomic transaction: any table left by an earlier run is replaced. The accept rules
    // come first: replies from the server (and, for a server on this machine, our requests
    // to it) pass before any drop or limit.
    await run(['-f', '-'], `table ${TABLE} {}
delete table ${TABLE}
table ${TABLE} {
  set block4 { type ipv4_addr; flags interval, timeout; }
  set block6 { type ipv6_addr; flags interval, timeout; }
  set dropports { type inet_proto . inet_service; flags timeout; }
  set dropprotos { type inet_proto; flags timeout; }
  ${mgmtSet('mgmt4', 4, management)}
  ${mgmtSet('mgmt6', 6, management)}
  chain ${CHAIN} {
    type filter hook prerouting priority -300; policy accept;
    ip saddr . tcp sport @mgmt4 accept comment "bw-mgmt4-from"
    ip daddr . tcp dport @mgmt4 accept comment "bw-mgmt4-to"
    ip6 saddr . tcp sport @mgmt6 accept comment "bw-mgmt6-from"
    ip6 daddr . tcp dport @mgmt6 accept comment "bw-mgmt6-to"
    ip saddr @block4 counter drop comment "bw-block4"
    ip6 saddr @block6 counter drop comment "bw-block6"
    meta l4proto . th dport @dropports counter drop comment "bw-dropports"
    meta l4proto @dropprotos counter drop comment "bw-dropprotos"
  }
}
`);
  }

  async teardown(): Promise<void> {
    await run(['-f', '-'], `table ${TABLE} {}\ndelete table ${TABLE}\n`);
  }

  async apply<T extends Exclude<CommandType, 'exec'>>(commandId: number, type: T, params: CommandParams<T>): Promise<AppliedRule> {
    const p = params as Record<string, unknown>;
    const ttl = int(p.ttl ?? 600, 1, 7 * 86_400, 'ttl');
    const comment = `bw-cmd-${int(commandId, 1, Number.MAX_SAFE_INTEGER, 'command id')}`;
    let add: string;
    let undo: AppliedRule['undo'];
    switch (type) {
      case 'block_source':
      case 'block_prefix': {
        const a = address(type === 'block_source' ? p.address : p.prefix, type === 'block_prefix');
        const set = a.family === 4 ? 'block4' : 'block6';
        add = `add element ${TABLE} ${set} { ${a.text} timeout ${ttl}s }`;
        undo = `delete element ${TABLE} ${set} { ${a.text} }`;
        break;
      }
      case 'drop_port': {
        const pr = proto(p.protocol);
        if (pr !== 'tcp' && pr !== 'udp') throw new FirewallError('protocol: must be tcp or udp');
        const port = int(p.port, 1, 65535, 'port');
        add = `add element ${TABLE} dropports { ${pr} . ${port} timeout ${ttl}s }`;
        undo = `delete element ${TABLE} dropports { ${pr} . ${port} }`;
        break;
      }
      case 'drop_protocol': {
        const pr = proto(p.protocol);
        add = `add element ${TABLE} dropprotos { ${pr} timeout ${ttl}s }`;
        undo = `delete element ${TABLE} dropprotos { ${pr} }`;
        break;
      }
      case 'rate_limit': {
        const pr = proto(p.protocol);
        const port = int(p.port ?? 0, 0, 65535, 'port');
        const pps = int(p.pps, 1, 100_000_000, 'pps');
        const match = port > 0 && (pr === 'tcp' || pr === 'udp') ? `meta l4proto ${pr} th dport ${port}` : `meta l4proto ${pr}`;
        add = `add rule ${TABLE} ${CHAIN} ${match} limit rate over ${pps}/second counter drop comment "${comment}"`;
        undo = { comment };
        break;
      }
      case 'syn_protection': {
        const pps = int(p.pps, 1, 100_000_000, 'pps');
        add = `add rule ${TABLE} ${CHAIN} tcp flags & (fin|syn|rst|ack) == syn limit rate over ${pps}/second counter drop comment "${comment}"`;
        undo = { comment };
        break;
      }
      default:
        throw new FirewallError(`unknown command type ${String(type)}`);
    }
    await run(['-f', '-'], `${add}\n`);
    return { undo, ttlSeconds: ttl };
  }

  async remove(rule: AppliedRule): Promise<void> {
    if (typeof rule.undo === 'string') {
      // The element may have timed out already: that is the same outcome.
      await run(['-f', '-'], `${rule.undo}\n`).catch((e: Error) => {
        if (!/No such file or directory|does not exist/i.test(e.message)) throw e;
      });
      return;
    }
    const listing = await run(['-a', 'list', 'chain', ...TABLE.split(' '), CHAIN]);
    for (const line of listing.split('\n')) {
      if (!line.includes(`comment "${rule.undo.comment}"`)) continue;
      const handle = /# handle (\d+)/.exec(line)?.[1];
      if (handle) await run(['delete', 'rule', ...TABLE.split(' '), CHAIN, 'handle', handle]);
    }
  }

  /** Packets dropped so far, per rule comment (for status and tests). */
  async dropCounters(): Promise<Record<string, number>> {
    const listing = await run(['list', 'chain', ...TABLE.split(' '), CHAIN]);
    const out: Record<string, number> = {};
    for (const line of listing.split('\n')) {
      const c = /counter packets (\d+) bytes \d+.*comment "([^"]+)"/.exec(line);
      if (c) out[c[2]!] = Number(c[1]);
    }
    return out;
  }

  /** Elements in one of the agent's sets (for status and tests). */
  async setElements(set: 'block4' | 'block6' | 'dropports' | 'dropprotos'): Promise<string> {
    return run(['list', 'set', ...TABLE.split(' '), set]);
  }
}
