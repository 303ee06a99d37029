// Firewall commands applied with nftables. One table of the agent's own; blocks and drops
// are set elements with timeouts (the kernel removes them on time even if the agent
// dies), rate limits are rules tagged with their command. Scripts are fed to `nft -f -`
// with no shell, and built only from values checked by firewall-command.ts.
import { isIP } from 'node:net';
import type { CommandParams } from '@breakwater/contracts';
import { checkFirewallCommand } from './firewall-command.ts';
import { runTool } from './tool-run.ts';
import { type AppliedRule, type FirewallCommandType, type FirewallExecutor, type FirewallExecutorOptions, type ManagementEndpoint } from './firewall-executor.ts';

export { FirewallError, type AppliedRule, type ManagementEndpoint } from './firewall-executor.ts';

const TABLE = 'inet breakwater';
const CHAIN = 'guard';

const run = (nft: string, args: string[], input?: string): Promise<string> => runTool(nft, args, input);

function mgmtSet(name: string, family: 4 | 6, endpoints: ManagementEndpoint[]): string {
  const els = endpoints.filter((e) => isIP(e.address) === family && Number.isInteger(e.port) && e.port > 0 && e.port < 65536).map((e) => `${e.address} . ${e.port}`);
  return `set ${name} { type ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'} . inet_service;${els.length ? ` elements = { ${els.join(', ')} };` : ''} }`;
}

export interface NftExecutorOptions extends FirewallExecutorOptions {
  /** The nft program (tests point it at a wrapper that enters their namespace). */
  nftPath?: string;
}

export class NftExecutor implements FirewallExecutor {
  readonly #management: ManagementEndpoint[];
  readonly #nft: string;

  constructor(o: NftExecutorOptions = {}) {
    this.#management = o.management ?? [];
    this.#nft = o.nftPath ?? 'nft';
  }

  #run(args: string[], input?: string): Promise<string> {
    return run(this.#nft, args, input);
  }

  async start(): Promise<void> {
    const management = this.#management;
    // One atomic transaction: any table left by an earlier run is replaced. The accept rules
    // come first: replies from the server (and, for a server on this machine, our requests
    // to it) pass before any drop or limit.
    await this.#run(['-f', '-'], `table ${TABLE} {}
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

  async stop(): Promise<void> {
    await this.#run(['-f', '-'], `table ${TABLE} {}\ndelete table ${TABLE}\n`);
  }

  async apply<T extends FirewallCommandType>(commandId: number, type: T, params: CommandParams<T>): Promise<AppliedRule> {
    const c = checkFirewallCommand(commandId, type, params);
    let add: string;
    let undo: AppliedRule['undo'];
    switch (c.type) {
      case 'block_source':
      case 'block_prefix': {
        const set = c.family === 4 ? 'block4' : 'block6';
        add = `add element ${TABLE} ${set} { ${c.address} timeout ${c.ttl}s }`;
        undo = `delete element ${TABLE} ${set} { ${c.address} }`;
        break;
      }
      case 'drop_port':
        add = `add element ${TABLE} dropports { ${c.protocol} . ${c.port} timeout ${c.ttl}s }`;
        undo = `delete element ${TABLE} dropports { ${c.protocol} . ${c.port} }`;
        break;
      case 'drop_protocol':
        add = `add element ${TABLE} dropprotos { ${c.protocol} timeout ${c.ttl}s }`;
        undo = `delete element ${TABLE} dropprotos { ${c.protocol} }`;
        break;
      case 'rate_limit': {
        const match = c.port > 0 && (c.protocol === 'tcp' || c.protocol === 'udp') ? `meta l4proto ${c.protocol} th dport ${c.port}` : `meta l4proto ${c.protocol}`;
        // Per source: one dynamic set per address family keyed by the source, each entry its own limit
        // (bounded in size, entries expire), so one address is held back and the others pass.
        add = c.perSource
          ? [4, 6].map((f) => `add set ${TABLE} ${c.comment}-${f} { type ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}; size 65535; flags dynamic,timeout; timeout 60s; }\n` +
              `add rule ${TABLE} ${CHAIN} ${match} update @${c.comment}-${f} { ${f === 4 ? 'ip' : 'ip6'} saddr limit rate over ${c.pps}/second } counter drop comment "${c.comment}"`).join('\n')
          : `add rule ${TABLE} ${CHAIN} ${match} limit rate over ${c.pps}/second counter drop comment "${c.comment}"`;
        undo = { comment: c.comment };
        break;
      }
      case 'syn_protection':
        add = `add rule ${TABLE} ${CHAIN} tcp flags & (fin|syn|rst|ack) == syn limit rate over ${c.pps}/second counter drop comment "${c.comment}"`;
        undo = { comment: c.comment };
        break;
    }
    await this.#run(['-f', '-'], `${add}\n`);
    return { undo, ttlSeconds: c.ttl };
  }

  async remove(rule: AppliedRule): Promise<void> {
    if (typeof rule.undo === 'string') {
      // The element may have timed out already: that is the same outcome.
      await this.#run(['-f', '-'], `${rule.undo}\n`).catch((e: Error) => {
        if (!/No such file or directory|does not exist/i.test(e.message)) throw e;
      });
      return;
    }
    const listing = await this.#run(['-a', 'list', 'chain', ...TABLE.split(' '), CHAIN]);
    for (const line of listing.split('\n')) {
      if (!line.includes(`comment "${rule.undo.comment}"`)) continue;
      const handle = /# handle (\d+)/.exec(line)?.[1];
      if (handle) await this.#run(['delete', 'rule', ...TABLE.split(' '), CHAIN, 'handle', handle]);
    }
  }

  /** Packets dropped so far, per rule comment (for status and tests). */
  async dropCounters(): Promise<Record<string, number>> {
    const listing = await this.#run(['list', 'chain', ...TABLE.split(' '), CHAIN]);
    const out: Record<string, number> = {};
    for (const line of listing.split('\n')) {
      const c = /counter packets (\d+) bytes \d+.*comment "([^"]+)"/.exec(line);
      if (c) out[c[2]!] = Number(c[1]);
    }
    return out;
  }

  /** Elements in one of the agent's sets (for status and tests). */
  async setElements(set: 'block4' | 'block6' | 'dropports' | 'dropprotos'): Promise<string> {
    return this.#run(['list', 'set', ...TABLE.split(' '), set]);
  }
}
