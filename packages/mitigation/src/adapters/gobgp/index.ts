// GoBGP adapter: drives gobgpd's gRPC API (endpoint "host:port" or "unix:///path" as given to
// gobgpd --api-hosts). Blackholes are IPv4/IPv6 unicast paths with BLACKHOLE + NO_EXPORT
// communities; FlowSpec rules are ipv4/ipv6-flowspec paths whose action is an extended community.
import type { RuleSpec } from '@breakwater/contracts';
import { AdapterError, type AdapterConfig, type AdapterDeps, type AdapterFactory, type AnnouncedRule, type ConnectivityResult, type MitigationAdapter } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { Communities, blackholeCommunities } from '../bgp-common/options.ts';
import { isIP } from 'node:net';
import { refusalOf, refusalOfHost, systemResolver } from '@breakwater/outbound';
import { confinedSocket, localPaths } from '../bgp-common/local-paths.ts';
import { GobgpClient } from './grpc-client.ts';
import { pathToSpec, specToPath, type ApiPath } from './paths.ts';
import { AFI_IP, AFI_IP6, SAFI_FLOWSPEC, SAFI_UNICAST, TABLE_GLOBAL, type AnyMsg } from './schema.ts';


interface Settings { communities: string[]; nextHopV4: string; nextHopV6: string; target: string }

function endpointTarget(endpoint: string): string {
  if (typeof endpoint !== 'string' || endpoint.length === 0) throw AdapterError.about('endpoint', 'must be "host:port" or "unix:///path/to/gobgpd.sock"');
  if (endpoint.startsWith('unix://')) {
    if (!endpoint.startsWith('unix:///')) throw AdapterError.about('endpoint', 'a unix socket must be an absolute path, "unix:///path"');
    return endpoint;
  }
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(endpoint);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw AdapterError.about('endpoint', `"${endpoint}" must be "host:port" or "unix:///path"`);
  return endpoint;
}

/**
 * The target grpc connects to: a unix socket inside the allowed socket directories, or host:port
 * under the outbound policy, a name resolved once here and the checked address used, so the
 * connection goes where the check looked.
 */
async function pinnedTarget(target: string, deps: Pick<AdapterDeps, 'reach' | 'resolve' | 'local'>): Promise<string> {
  if (target.startsWith('unix://')) {
    confinedSocket('endpoint', target.slice('unix://'.length), 'gobgpd\'s unix API socket', localPaths(deps).socketDirs);
    return target;
  }
  const sep = target.lastIndexOf(':');
  const host = target.slice(0, sep).replace(/^\[|\]$/g, '');
  const port = target.slice(sep + 1);
  const reach = deps.reach ?? [];
  const direct = refusalOfHost(host, reach);
  if (direct) throw AdapterError.about('endpoint', `refused: ${direct.message}`);
  if (isIP(host)) return target;
  let addresses;
  try {
    addresses = await (deps.resolve ?? systemResolver)(host);
  } catch (err) {
    throw AdapterError.about('endpoint', `cannot resolve ${host}: ${err instanceof Error ? err.message : String(err)}`, true);
  }
  for (const a of addresses) {
    const refused = refusalOf(a.address, reach, host);
    if (refused) throw AdapterError.about('endpoint', `refused: ${refused.message}`);
  }
  const first = addresses[0];
  if (!first) throw AdapterError.about('endpoint', `${host} has no address`, true);
  return first.family === 6 ? `[${first.address}]:${port}` : `${first.address}:${port}`;
}

export const GobgpOptions = Type.Object({
  communities: Communities(),
  // 0.0.0.0 / :: tell gobgpd to use its own address towards each peer (next-hop self).
  next_hop: Type.String({ format: 'ipv4', default: '0.0.0.0' }),
  next_hop_v6: Type.String({ format: 'ipv6', default: '::' }),
}, { additionalProperties: false });

function settingsFrom(config: AdapterConfig): Settings {
  const o = adapterOptions(GobgpOptions, config.options);
  return { target: endpointTarget(config.endpoint), communities: o.communities, nextHopV4: o.next_hop, nextHopV6: o.next_hop_v6 };
}

const FAMILIES = [
  { afi: AFI_IP, safi: SAFI_UNICAST }, { afi: AFI_IP6, safi: SAFI_UNICAST },
  { afi: AFI_IP, safi: SAFI_FLOWSPEC }, { afi: AFI_IP6, safi: SAFI_FLOWSPEC },
];

/** Paths gobgpd originated itself (added over the API or in its config) rather than learned. */
const isLocal = (p: Record<string, unknown>) => {
  const n = typeof p.neighbor_ip === 'string' ? p.neighbor_ip : '';
  return n === '' || n === '<nil>' || n === '0.0.0.0' || n === '::';
};

export const createGobgpAdapter: AdapterFactory = (config: AdapterConfig, deps: AdapterDeps): MitigationAdapter => {
  let settings: Settings | null = null;
  let client: GobgpClient | null = null;

  const ready = (): { s: Settings; c: GobgpClient } => {
    if (!settings || !client) throw new AdapterError('gobgp adapter: start() has not succeeded', false);
    return { s: settings, c: client };
  };

  const toPath = (spec: RuleSpec, s: Settings): ApiPath => {
    if (spec.kind === 'blackhole') return specToPath({ ...spec, communities: blackholeCommunities(s.communities, spec.communities) }, s);
    return specToPath(spec, s);
  };

  return {
    type: 'gobgp',
    capabilities: ['blackhole', 'flowspec'],

    async start() {
      const st = settingsFrom(config);
      const target = await pinnedTarget(st.target, deps);
      settings = st;
      // grpc connects lazily: a speaker that is down now does not stop the adapter starting;
      // test() and every call report it.
      client = new GobgpClient(target, deps.timeoutMs);
    },

    async announce(rule: AnnouncedRule) {
      const { s, c } = ready();
      const path = toPath(rule.spec, s);
      // AddPath of an NLRI gobgpd already holds from us replaces it: announcing twice is idempotent.
      await c.unary('AddPath', 'AddPathRequest', 'AddPathResponse', { table_type: TABLE_GLOBAL, path });
      deps.log?.('gobgp: announced', { id: rule.id, key: ruleKey(rule.spec) });
    },

    async withdraw(rule: AnnouncedRule) {
      const { s, c } = ready();
      const path = toPath(rule.spec, s);
      // gobgpd answers a delete of an absent path with success, which is what withdraw promises.
      await c.unary('DeletePath', 'DeletePathRequest', 'Empty', { table_type: TABLE_GLOBAL, family: path.family, path });
      deps.log?.('gobgp: withdrawn', { id: rule.id, key: ruleKey(rule.spec) });
    },

    async present() {
      const { c } = ready();
      const keys = new Set<string>();
      for (const family of FAMILIES) {
        const rows = await c.stream('ListPath', 'ListPathRequest', 'ListPathResponse', { table_type: TABLE_GLOBAL, family });
        for (const row of rows) {
          const dest = row.destination as { paths?: Record<string, unknown>[] } | undefined;
          for (const p of dest?.paths ?? []) {
            if (!isLocal(p)) continue;
            const spec = pathToSpec({ nlri: p.nlri as AnyMsg, pattrs: p.pattrs as AnyMsg[] });
            if (spec) keys.add(ruleKey(spec));
          }
        }
      }
      return keys;
    },

    async test(): Promise<ConnectivityResult> {
      const t0 = deps.now();
      try {
        if (!client) settingsFrom(config);
        const c = client ?? new GobgpClient(await pinnedTarget(endpointTarget(config.endpoint), deps), deps.timeoutMs);
        try {
          const r = await c.unary('GetBgp', 'GetBgpRequest', 'GetBgpResponse', {});
          const g = (r.global ?? {}) as { asn?: number; router_id?: string };
          return { ok: true, latency_ms: deps.now() - t0, message: `gobgpd AS ${g.asn ?? '?'} router-id ${g.router_id ?? '?'}` };
        } finally {
          if (c !== client) c.close();
        }
      } catch (err) {
        return { ok: false, latency_ms: deps.now() - t0, message: err instanceof Error ? err.message : String(err) };
      }
    },

    async stop() {
      client?.close();
      client = null;
    },
  };
};
