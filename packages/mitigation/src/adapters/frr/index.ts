// FRR adapter: blackholes through vtysh (endpoint = the directory of bgpd's vty socket, as given
// to bgpd --vty_socket). FRR can receive FlowSpec but not originate it, so this adapter carries
// blackholes only. Runtime configuration is not written to disk: a restarted bgpd forgets our
// routes, present() then reports them missing and reconciliation announces them again.
import { isAbsolute } from 'node:path';
import { AdapterError, type AdapterConfig, type AdapterDeps, type AdapterFactory, type AnnouncedRule, type ConnectivityResult, type MitigationAdapter } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { BLACKHOLE_COMMUNITY, NO_EXPORT_COMMUNITY, blackholeCommunities, onlyKnownKeys, optCommunities, optInt, optString } from '../bgp-common/options.ts';
import { runCommand } from '../bgp-common/run-command.ts';
import { announceCommands, frrNames, outRouteMap, parseLocalRoutes, parseOurNetworks, planBlackhole, withdrawCommands, type FrrNames } from './commands.ts';

export const FRR_OPTION_KEYS = ['local_as', 'vtysh', 'name_prefix', 'communities'] as const;

interface Settings { socketDir: string; localAs: number; vtysh: string; prefix: string; names: FrrNames; communities: string[] }

function settingsFrom(config: AdapterConfig): Settings {
  const o = config.options ?? {};
  onlyKnownKeys(o, FRR_OPTION_KEYS);
  if (typeof config.endpoint !== 'string' || !isAbsolute(config.endpoint) || /[\0\n]/.test(config.endpoint)) {
    throw new AdapterError('endpoint: must be the absolute path of the directory holding bgpd\'s vty socket (bgpd --vty_socket)', false);
  }
  const prefix = optString(o, 'name_prefix', /^[A-Za-z][A-Za-z0-9_-]{0,30}$/, 'a route-map name prefix (letters, digits, _ and -)', 'BREAKWATER');
  return {
    socketDir: config.endpoint,
    localAs: optInt(o, 'local_as', 1, 4294967295),
    vtysh: optString(o, 'vtysh', /^\/[^\0\n]*$/, 'an absolute path to vtysh', '/usr/bin/vtysh'),
    prefix, names: frrNames(prefix),
    communities: optCommunities(o, 'communities', [BLACKHOLE_COMMUNITY, NO_EXPORT_COMMUNITY]),
  };
}

export const createFrrAdapter: AdapterFactory = (config: AdapterConfig, deps: AdapterDeps): MitigationAdapter => {
  let s: Settings | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = chain.then(f, f);
    chain = p.catch(() => undefined);
    return p;
  };
  const ready = () => {
    if (!s) throw new AdapterError('frr adapter: start() has not succeeded', false);
    return s;
  };

  /** Runs vtysh against bgpd only; any "%" line (FRR's error mark) fails the call. */
  const vtysh = async (st: Settings, commands: string[]) => {
    const r = await runCommand(st.vtysh, ['--vty_socket', st.socketDir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], { timeoutMs: deps.timeoutMs });
    const text = `${r.stdout}${r.stderr}`;
    if (/failed to connect|Exiting:/i.test(text)) throw new AdapterError(`vtysh: cannot reach bgpd at ${st.socketDir}: ${text.trim().slice(0, 300)}`, true);
    const errors = text.split('\n').filter((l) => l.startsWith('%'));
    if (r.code !== 0 || errors.length) throw new AdapterError(`vtysh refused: ${(errors.join(' ') || text).trim().slice(0, 500)}`, false);
    return r.stdout;
  };

  const plan = (st: Settings, rule: AnnouncedRule) => {
    if (rule.spec.kind !== 'blackhole') throw new AdapterError(`frr cannot originate ${rule.spec.kind} rules (FRR receives FlowSpec but does not originate it); use gobgp, exabgp or bird2`, false);
    return planBlackhole(rule.spec.prefix, blackholeCommunities(st.communities, rule.spec.communities), st.names);
  };

  return {
    type: 'frr',
    capabilities: ['blackhole'],

    async start() {
      s = settingsFrom(config);
    },

    announce(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const p = plan(st, rule);
        // The route-map is re-stated every time (bgpd may have restarted and forgotten it; FRR
        // accepts repeats), in the same vtysh run: each run costs a process start and a session.
        await vtysh(st, [...outRouteMap(st.names), ...announceCommands(p, st.localAs, st.names).filter((c) => c !== 'configure terminal')]);
        deps.log?.('frr: announced', { id: rule.id, key: ruleKey(rule.spec) });
      });
    },

    withdraw(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const p = plan(st, rule);
        const present = new Set(parseOurNetworks(await vtysh(st, ['show running-config']), st.prefix));
        // FRR answers "%" to removing what it does not have; absent is what withdraw wants.
        if (!present.has(p.prefix)) return;
        await vtysh(st, withdrawCommands(p, st.localAs, st.names));
        deps.log?.('frr: withdrawn', { id: rule.id, key: ruleKey(rule.spec) });
      });
    },

    async present() {
      const st = ready();
      const ours = new Set(parseOurNetworks(await vtysh(st, ['show running-config']), st.prefix));
      const keys = new Set<string>();
      for (const fam of ['ipv4', 'ipv6']) {
        for (const net of parseLocalRoutes(await vtysh(st, [`show bgp ${fam} unicast json`]))) {
          if (ours.has(net)) keys.add(ruleKey({ kind: 'blackhole', prefix: net, next_hop: null, communities: [] }));
        }
      }
      return keys;
    },

    async test(): Promise<ConnectivityResult> {
      const t0 = deps.now();
      try {
        const st = s ?? settingsFrom(config);
        const out = await vtysh(st, ['show version']);
        return { ok: true, latency_ms: deps.now() - t0, message: out.split('\n')[0]?.trim() || 'bgpd answered' };
      } catch (err) {
        return { ok: false, latency_ms: deps.now() - t0, message: err instanceof Error ? err.message : String(err) };
      }
    },

    async stop() {
      await chain;
      s = null;
    },
  };
};
