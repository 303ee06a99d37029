// Firewall commands applied with iptables and ip6tables, for nodes without nftables (or whose
// operators keep to iptables). The agent's rules live in a chain of its own in the raw table
// (before conntrack, like the nft executor's prerouting -300 chain), jumped to first from
// PREROUTING; every change is an iptables-restore --noflush transaction built from values
// firewall-command.ts checked; rules carry their command's tag (`bw-cmd-ID`) and are taken back
// by it. iptables has no element timeouts: the command runner removes them at their TTL, and
// the failsafe takes everything back when the server is gone.
import { isIP } from 'node:net';
import type { CommandParams } from '@breakwater/contracts';
import { checkFirewallCommand, type CheckedCommand } from './firewall-command.ts';
import type { AppliedRule, FirewallCommandType, FirewallExecutor, FirewallExecutorOptions, ManagementEndpoint } from './firewall-executor.ts';
import { runTool } from './tool-run.ts';

export const GUARD_CHAIN = 'BW-GUARD';

export interface IptablesExecutorOptions extends FirewallExecutorOptions {
  /** The programs (tests point them at wrappers that enter their namespace). */
  iptablesRestore?: string;
  ip6tablesRestore?: string;
  iptablesSave?: string;
  ip6tablesSave?: string;
}

type Family = 4 | 6;

const PROTO6: Record<string, string> = { icmpv6: 'ipv6-icmp' };

/** The rule text (after `-A CHAIN`) of one checked command, per family it applies to. */
function ruleSpecs(c: CheckedCommand): [Family, string][] {
  const tag = `-m comment --comment ${c.comment}`;
  const both = (spec: (f: Family) => string | null): [Family, string][] =>
    ([4, 6] as const).flatMap((f) => {
      const s = spec(f);
      return s === null ? [] : [[f, s] as [Family, string]];
    });
  const proto = (p: string, f: Family): string | null => {
    if (p === 'icmp') return f === 4 ? 'icmp' : null;
    if (p === 'icmpv6') return f === 6 ? PROTO6.icmpv6! : null;
    return p;
  };
  switch (c.type) {
    case 'block_source':
    case 'block_prefix':
      return [[c.family, `-s ${c.address} ${tag} -j DROP`]];
    case 'drop_port':
      return both(() => `-p ${c.protocol} --dport ${c.port} ${tag} -j DROP`);
    case 'drop_protocol':
      return both((f) => {
        const p = proto(c.protocol, f);
        return p ? `-p ${p} ${tag} -j DROP` : null;
      });
    case 'rate_limit':
      return both((f) => {
        const p = proto(c.protocol, f);
        if (!p) return null;
        const port = c.port > 0 && (c.protocol === 'tcp' || c.protocol === 'udp') ? ` --dport ${c.port}` : '';
        const mode = c.perSource ? ' --hashlimit-mode srcip' : '';
        return `-p ${p}${port} -m hashlimit --hashlimit-above ${c.pps}/sec --hashlimit-burst ${c.pps}${mode} --hashlimit-name ${c.comment.slice(0, 15)}${f} ${tag} -j DROP`;
      });
    case 'syn_protection':
      return both((f) => `-p tcp --syn -m hashlimit --hashlimit-above ${c.pps}/sec --hashlimit-burst ${c.pps} --hashlimit-name ${c.comment.slice(0, 15)}${f} ${tag} -j DROP`);
  }
}

export class IptablesExecutor implements FirewallExecutor {
  readonly #management: ManagementEndpoint[];
  readonly #restore: Record<Family, string>;
  readonly #save: Record<Family, string>;

  constructor(o: IptablesExecutorOptions = {}) {
    this.#management = o.management ?? [];
    this.#restore = { 4: o.iptablesRestore ?? 'iptables-restore', 6: o.ip6tablesRestore ?? 'ip6tables-restore' };
    this.#save = { 4: o.iptablesSave ?? 'iptables-save', 6: o.ip6tablesSave ?? 'ip6tables-save' };
  }

  #restoreRaw(f: Family, lines: string[]): Promise<string> {
    return runTool(this.#restore[f], ['-w', '5', '--noflush'], `*raw\n${lines.join('\n')}\nCOMMIT\n`);
  }

  /** The agent's rules as iptables-save prints them (both families). */
  async listing(): Promise<string> {
    const out = await Promise.all(([4, 6] as const).map((f) => runTool(this.#save[f], ['-t', 'raw'])));
    return out.join('\n').split('\n').filter((l) => l.includes(GUARD_CHAIN)).join('\n');
  }

  async start(): Promise<void> {
    for (const f of [4, 6] as const) {
      const saved = await runTool(this.#save[f], ['-t', 'raw']);
      const jump = saved.split('\n').some((l) => l === `-A PREROUTING -j ${GUARD_CHAIN}`);
      const mgmt = this.#management
        .filter((m) => isIP(m.address) === f && Number.isInteger(m.port) && m.port > 0 && m.port < 65536)
        .flatMap((m) => [`-A ${GUARD_CHAIN} -s ${m.address} -p tcp --sport ${m.port} -m comment --comment bw-mgmt -j RETURN`, `-A ${GUARD_CHAIN} -d ${m.address} -p tcp --dport ${m.port} -m comment --comment bw-mgmt -j RETURN`]);
      // Declaring the chain empties it (also with --noflush): what an earlier run left is gone.
      await this.#restoreRaw(f, [`:${GUARD_CHAIN} - [0:0]`, ...mgmt, ...(jump ? [] : [`-I PREROUTING 1 -j ${GUARD_CHAIN}`])]);
    }
  }

  async stop(): Promise<void> {
    for (const f of [4, 6] as const) {
      const saved = await runTool(this.#save[f], ['-t', 'raw']);
      if (!saved.includes(`:${GUARD_CHAIN} `)) continue;
      const jumps = saved.split('\n').filter((l) => l === `-A PREROUTING -j ${GUARD_CHAIN}`).map(() => `-D PREROUTING -j ${GUARD_CHAIN}`);
      await this.#restoreRaw(f, [...jumps, `:${GUARD_CHAIN} - [0:0]`, `-X ${GUARD_CHAIN}`]);
    }
  }

  async apply<T extends FirewallCommandType>(commandId: number, type: T, params: CommandParams<T>): Promise<AppliedRule> {
    const c = checkFirewallCommand(commandId, type, params);
    const specs = ruleSpecs(c);
    for (const f of [4, 6] as const) {
      const lines = specs.filter(([sf]) => sf === f).map(([, s]) => `-A ${GUARD_CHAIN} ${s}`);
      if (lines.length) await this.#restoreRaw(f, lines);
    }
    return { undo: { comment: c.comment }, ttlSeconds: c.ttl };
  }

  async remove(rule: AppliedRule): Promise<void> {
    const comment = typeof rule.undo === 'string' ? rule.undo : rule.undo.comment;
    if (!/^bw-cmd-[0-9]+$/.test(comment)) return;
    for (const f of [4, 6] as const) {
      const saved = await runTool(this.#save[f], ['-t', 'raw']);
      const lines = saved.split('\n').filter((l) => l.startsWith(`-A ${GUARD_CHAIN} `) && l.includes(`--comment ${comment} `)).map((l) => `-D${l.slice(2)}`);
      if (lines.length) await this.#restoreRaw(f, lines);
    }
  }

  /** Packets each tagged rule dropped so far (for status and tests). */
  async dropCounters(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const f of [4, 6] as const) {
      for (const l of (await runTool(this.#save[f], ['-c', '-t', 'raw'])).split('\n')) {
        const m = /^\[(\d+):\d+\] -A BW-GUARD .*--comment (\S+)/.exec(l);
        if (m) out[m[2]!] = (out[m[2]!] ?? 0) + Number(m[1]);
      }
    }
    return out;
  }
}
