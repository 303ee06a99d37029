// FRR adapter: blackholes through bgpd's vty socket (endpoint = the directory of bgpd.vty, as given
// to bgpd --vty_socket), on one persistent session spoken directly (./vty.ts) rather than a vtysh
// process per change, which cost ~40 ms each. FRR can receive FlowSpec but not originate it, so this adapter carries
// blackholes only. Runtime configuration is not written to disk: a restarted bgpd forgets our
// routes, present() then reports them missing and reconciliation announces them again.
import { join } from 'node:path';
import { AdapterError, type AdapterConfig, type AdapterDeps, type AdapterFactory, type AnnouncedRule, type ConnectivityResult, type MitigationAdapter } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { Communities, Matching, blackholeCommunities } from '../bgp-common/options.ts';
import { confinedSocket, localPaths, refuseProgramOption } from '../bgp-common/local-paths.ts';
import { announceCommands, frrNames, outRouteMap, parseLocalRoutes, parseOurNetworks, planBlackhole, withdrawCommands, type FrrNames } from './commands.ts';
import { VtySession } from './vty.ts';

// `vtysh` (a program path) is no longer accepted from the API: nothing runs it since the socket
// transport, and what the server runs is never the API's to say.
export const FrrOptions = Type.Object({
  local_as: Type.Integer({ minimum: 1, maximum: 4294967295 }),
  name_prefix: Matching(/^[A-Za-z][A-Za-z0-9_-]{0,30}$/, 'a route-map name prefix (letters, digits, _ and -)', 'BREAKWATER'),
  communities: Communities(),
}, { additionalProperties: false });

interface Settings { socketDir: string; localAs: number; prefix: string; names: FrrNames; communities: string[] }

function settingsFrom(config: AdapterConfig, deps: Pick<AdapterDeps, 'local'>): Settings {
  refuseProgramOption(config.options, 'vtysh', 'none: the adapter speaks to bgpd\'s vty socket itself');
  const o = adapterOptions(FrrOptions, config.options);
  const socketDir = confinedSocket('endpoint', config.endpoint, 'the directory holding bgpd\'s vty socket (bgpd --vty_socket)', localPaths(deps).socketDirs);
  return { socketDir, localAs: o.local_as, prefix: o.name_prefix, names: frrNames(o.name_prefix), communities: o.communities };
}

export const createFrrAdapter: AdapterFactory = (config: AdapterConfig, deps: AdapterDeps): MitigationAdapter => {
  let s: Settings | null = null;
  let session: VtySession | null = null;
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

  const openSession = (st: Settings) => new VtySession(join(st.socketDir, 'bgpd.vty'), deps.timeoutMs);
  /** Runs commands on the adapter's session; a refused command (status or "%" line) fails the call. */
  const vty = (commands: string[]) => {
    ready();
    session ??= openSession(s!);
    return session.run(commands);
  };

  const plan = (st: Settings, rule: AnnouncedRule) => {
    if (rule.spec.kind !== 'blackhole') throw new AdapterError(`frr cannot originate ${rule.spec.kind} rules (FRR receives FlowSpec but does not originate it); use gobgp, exabgp or bird2`, false);
    return planBlackhole(rule.spec.prefix, blackholeCommunities(st.communities, rule.spec.communities), st.names);
  };

  return {
    type: 'frr',
    capabilities: ['blackhole'],

    async start() {
      s = settingsFrom(config, deps);
      session = openSession(s);
      // Opened now so the first incident does not wait for it; bgpd being down is not an error
      // here (every call reconnects), only a refused session is.
      await session.run([]).catch((err: unknown) => {
        if (err instanceof AdapterError && !err.retryable) throw err;
      });
    },

    announce(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const p = plan(st, rule);
        // The route-map is re-stated every time (bgpd may have restarted and forgotten it; FRR
        // accepts repeats) in the same batch, ahead of the network that needs it.
        await vty([...outRouteMap(st.names), ...announceCommands(p, st.localAs, st.names).filter((c) => c !== 'configure terminal')]);
        deps.log?.('frr: announced', { id: rule.id, key: ruleKey(rule.spec) });
      });
    },

    withdraw(rule: AnnouncedRule) {
      return serial(async () => {
        const st = ready();
        const p = plan(st, rule);
        const present = new Set(parseOurNetworks(await vty(['show running-config']), st.prefix));
        // FRR answers "%" to removing what it does not have; absent is what withdraw wants.
        if (!present.has(p.prefix)) return;
        await vty(withdrawCommands(p, st.localAs, st.names));
        deps.log?.('frr: withdrawn', { id: rule.id, key: ruleKey(rule.spec) });
      });
    },

    async present() {
      const st = ready();
      const ours = new Set(parseOurNetworks(await vty(['show running-config']), st.prefix));
      const keys = new Set<string>();
      for (const fam of ['ipv4', 'ipv6']) {
        for (const net of parseLocalRoutes(await vty([`show bgp ${fam} unicast json`]))) {
          if (ours.has(net)) keys.add(ruleKey({ kind: 'blackhole', prefix: net, next_hop: null, communities: [] }));
        }
      }
      return keys;
    },

    async test(): Promise<ConnectivityResult> {
      const t0 = deps.now();
      try {
        let out: string;
        if (s) out = await vty(['show version']);
        else {
          const once = openSession(settingsFrom(config, deps));
          try { out = await once.run(['show version']); } finally { once.close(); }
        }
        return { ok: true, latency_ms: deps.now() - t0, message: out.split('\n')[0]?.trim() || 'bgpd answered' };
      } catch (err) {
        return { ok: false, latency_ms: deps.now() - t0, message: err instanceof Error ? err.message : String(err) };
      }
    },

    async stop() {
      await chain;
      session?.close();
      session = null;
      s = null;
    },
  };
};
