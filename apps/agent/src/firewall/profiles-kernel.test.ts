// Every profile's nftables and iptables form on a real kernel, in one namespace pair reused:
// the traffic that kind of server needs passes (a TCP connect to each open port, a DNS answer,
// ping within its limit), a closed port does not, the management path and an allowlisted source
// always do, the floods it targets are dropped (bounded hping3 floods, rule counters against the
// packets sent), and rollback gives back the ruleset as it was, byte for byte.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { PROFILE_TABLE, type FirewallSuite } from '@breakwater/contracts';
import { checkRules, PROFILES, renderProfile } from '@breakwater/firewall-profiles';
import { withNamespaces } from '@breakwater/testing';
import { namespacedProgram } from '../testing/namespaced-program.ts';
import { IptablesProfileFirewall } from './iptables-profile.ts';
import { NftProfileFirewall } from './nft-profile.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { connects, counter, inNs, serve, udpQuery } from './profiles-traffic.ts';

const CLOSED = 9999;
const MGMT_PORT = 8443;

test('profiles on a real kernel: each of the eleven, nftables and iptables: needed traffic passes, targeted floods drop, rollback restores the ruleset byte for byte', { timeout: 600_000 }, async (t) => {
  await withNamespaces(async (n) => {
    const tools = ['nft', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save'].map((p) => namespacedProgram(n.victim, p));
    const [nft, r4, r6, s4, s6] = tools.map((x) => x.path) as [string, string, string, string, string];
    const helpers: ChildProcess[] = [];
    try {
      // The operator's own rules, there before any profile: they must come back exactly.
      inNs(n.victim, ['nft', 'add table inet operator; add chain inet operator input { type filter hook input priority 0; policy accept; }; add rule inet operator input tcp dport 9 accept']);
      inNs(n.victim, ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'ACCEPT']);
      const allowIp = n.attackerIp.replace(/\.1$/, '.9');
      spawnSync('ip', ['-n', n.attacker, 'addr', 'add', `${allowIp}/24`, 'dev', n.attackerIf]);
      const ruleset = () => ({
        nft: inNs(n.victim, ['nft', 'list', 'ruleset']).stdout,
        // iptables-save's first and last lines are comments with the time: not the ruleset.
        ipt: [s4, s6].map((s) => spawnSync(s, [], { encoding: 'utf8' }).stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')).join('\n'),
      });
      const original = ruleset();
      const allTcp = [...new Set(PROFILES.flatMap((p) => p.tcp_ports)), CLOSED];
      helpers.push(await serve(n.victim, allTcp, []));
      helpers.push(await serve(n.attacker, [], [53]));
      const tx = (ns: string, dev: string) => Number(inNs(ns, ['cat', `/sys/class/net/${dev}/statistics/tx_packets`]).stdout.trim());
      // A bounded flood: hping3 says how many it sent; the victim's tx counter how many it answered.
      const flood = (args: string[], seconds: number): { sent: number; ms: number; answered: number } => {
        const before = tx(n.victim, n.victimIf);
        const t0 = performance.now();
        const r = spawnSync('ip', ['netns', 'exec', n.attacker, 'timeout', '-s', 'INT', String(seconds), 'hping3', ...args, '--flood', n.victimIp], { encoding: 'utf8', timeout: 30_000 });
        const ms = performance.now() - t0;
        const sent = Number(/(\d+) packets transmitted/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? NaN);
        return { sent, ms, answered: tx(n.victim, n.victimIf) - before };
      };

      const make: Record<'nftables' | 'iptables', () => ProfileFirewall> = {
        nftables: () => new NftProfileFirewall({ nftPath: nft }),
        iptables: () => new IptablesProfileFirewall({ iptablesRestore: r4, ip6tablesRestore: r6, iptablesSave: s4, ip6tablesSave: s6, nftPath: nft }),
      };
      const listing = (suite: FirewallSuite) => (suite === 'nftables' ? inNs(n.victim, ['nft', 'list', 'table', 'inet', PROFILE_TABLE]).stdout : spawnSync(s4, ['-c', '-t', 'filter'], { encoding: 'utf8' }).stdout);
      const match = {
        nftables: { syn: 'tcp flags syn', icmp: 'icmp type echo-request counter', rest: '\t\tcounter packets', bogon: 'ip saddr { 0.0.0.0/8' },
        iptables: { syn: '--tcp-flags FIN,SYN,RST,ACK SYN -m hashlimit', icmp: '--icmp-type 8 -j DROP', rest: '-A BW-PROFILE -j DROP', bogon: '-s 192.0.2.0/24 -j DROP' },
      };

      for (const p of PROFILES) {
        for (const suite of ['nftables', 'iptables'] as const) {
          await t.test(`${p.id} (${suite})`, async () => {
            const fw = make[suite]();
            const rules = checkRules(suite, p.rules[suite]);
            await fw.apply(renderProfile(suite, { rules, management: [{ address: n.attackerIp, port: MGMT_PORT }], allowlist: [allowIp] }));

            try {
              // Needed traffic: each open port, the server's own DNS answers, ping within the limit.
              const open = connects(n.attacker, n.victimIp, p.tcp_ports.map((port) => ({ port, localAddress: n.attackerIp })));
              assert.deepEqual(open, p.tcp_ports.map(() => true), `every open TCP port of ${p.id} connects: ${p.tcp_ports} → ${open}\n${listing(suite)}`);
              const closedAndExempt = connects(n.attacker, n.victimIp, [
                { port: CLOSED, localAddress: n.attackerIp },
                { port: CLOSED, localAddress: n.attackerIp, localPort: MGMT_PORT },
                { port: CLOSED, localAddress: allowIp },
              ]);
              assert.deepEqual(closedAndExempt, [false, true, true], 'a closed port is closed; the management path and the allowlisted source pass');
              assert.ok(udpQuery(n.victim, n.attackerIp), 'a DNS answer to the node\'s own query comes back');
              const ping = inNs(n.attacker, ['ping', '-c', '3', '-i', '0.3', '-W', '1', n.victimIp]);
              assert.match(ping.stdout, /3 received/, 'ping within the limit answers');

              // Floods: what the rules let through is bounded by rate × time + burst; the rest is dropped.
              const syn = rules.find((r) => /SYN rate|--syn|tcp flags syn/.test(r.cmd))!.cmd;
              const [synRate, synBurst] = [Number(/(\d+)\/(sec|second)/.exec(syn)![1]), Number(/burst (\d+)/.exec(syn)?.[1] ?? /--hashlimit-burst (\d+)/.exec(syn)![1])];
              const c0 = listing(suite);
              const f1 = flood(['-S', '-p', String(p.tcp_ports[0])], synRate >= 2000 ? 2.5 : synRate >= 500 ? 1.5 : 1);
              const synDropped = counter(listing(suite), match[suite].syn) - counter(c0, match[suite].syn);
              const synAllowed = Math.ceil((synRate * f1.ms) / 1000) + synBurst;
              assert.ok(f1.sent > synAllowed + 500, `the SYN flood was a flood (${f1.sent} sent in ${f1.ms.toFixed(0)} ms, ${synAllowed} may pass)`);
              assert.ok(f1.answered <= synAllowed + 20, `SYN flood: the node answered ${f1.answered}, at most ${synAllowed} may pass`);
              assert.ok(synDropped >= f1.sent - f1.answered - f1.sent * 0.02, `SYN flood: ${synDropped} of ${f1.sent} dropped by the SYN limit, ${f1.answered} answered\n${listing(suite)}`);

              const c1 = listing(suite);
              const f2 = flood(['--udp', '-p', String(CLOSED)], 0.4);
              const udpDropped = counter(listing(suite), match[suite].rest) - counter(c1, match[suite].rest);
              assert.ok(udpDropped >= f2.sent - 50, `UDP flood to a closed port: ${udpDropped} of ${f2.sent} dropped`);

              const c2 = listing(suite);
              const f3 = flood(['--icmp'], 0.4);
              const icmp = rules.find((r) => /echo-request (limit|-m limit)/.test(r.cmd))!.cmd;
              const icmpAllowed = Math.ceil((Number(/(\d+)\/second/.exec(icmp)![1]) * f3.ms) / 1000) + Number(/(?:burst|--limit-burst) (\d+)/.exec(icmp)![1]);
              const icmpDropped = counter(listing(suite), match[suite].icmp) - counter(c2, match[suite].icmp);
              assert.ok(f3.answered <= icmpAllowed + 20, `ICMP flood: ${f3.answered} echo replies, at most ${icmpAllowed} may pass`);
              assert.ok(icmpDropped >= f3.sent - icmpAllowed - 50, `ICMP flood: ${icmpDropped} of ${f3.sent} dropped, at most ${icmpAllowed} may pass`);

              if (rules.some((r) => r.cmd.includes('192.0.2.0/24'))) {
                const c3 = listing(suite);
                const before = tx(n.attacker, n.attackerIf);
                inNs(n.attacker, ['hping3', '--udp', '-p', '53', '-a', '192.0.2.1', '-i', 'u200', '-c', '500', '-q', n.victimIp]);
                const sent = tx(n.attacker, n.attackerIf) - before;
                const bogons = counter(listing(suite), match[suite].bogon) - counter(c3, match[suite].bogon);
                assert.ok(bogons >= sent - 5 && sent >= 500, `spoofed bogon sources: ${bogons} of ${sent} dropped`);
              }

            } finally {
              // Also after a failed check: the next profile starts from the operator's ruleset.
              await fw.rollback();
            }
            const back = ruleset();
            assert.equal(back.nft, original.nft, 'nft list ruleset as before, byte for byte');
            assert.equal(back.ipt, original.ipt, 'iptables-save and ip6tables-save as before, byte for byte');
          });
        }
      }
    } finally {
      for (const h of helpers) h.stdin?.end();
      for (const x of tools) x.dispose();
    }
  });
});
