// The server config's say on what adapters and channels touch outside the process: which
// non-public address ranges each type may call (outbound), and where the BGP adapters' program,
// files and sockets are on this host (mitigation.socketDirs, mitigation.bird2). None of it can
// come from the API.
import { join, resolve } from 'node:path';
import { Type } from 'typebox';
import { ADAPTER_TYPES, CHANNEL_TYPES, OUTBOUND_REACH, SCRUBBING_TYPES, validateConfig, type AdapterType, type ChannelType, type OutboundReach, type ScrubbingType } from '@breakwater/contracts';

export interface OutboundConfig {
  /** Per channel type, or '*' for every type: the ranges beyond public addresses it may call. */
  channels?: Partial<Record<ChannelType | '*', OutboundReach[]>>;
  /** Per adapter type, or '*': the same for mitigation adapters. (Both optional in what callers pass; resolveConfig fills them.) */
  adapters?: Partial<Record<AdapterType | '*', OutboundReach[]>>;
  /** Per scrubbing integration type, or '*': the same for cloud scrubbing providers' API URLs. */
  scrubbing?: Partial<Record<ScrubbingType | '*', OutboundReach[]>>;
  /** Hosts agents are deployed to over SSH (POST /api/agents/deploy): the ranges beyond public addresses they may be in. */
  deploy?: OutboundReach[];
}

/** BGP speakers on loopback are the normal set-up; HTTP vendors and channels reach public addresses only. */
export const DEFAULT_OUTBOUND: OutboundConfig = {
  channels: {},
  adapters: { gobgp: ['loopback'], exabgp: ['loopback'], bird2: ['loopback'], frr: ['loopback'] },
};

/** Optional in what callers pass; resolveConfig always fills both. */
export interface MitigationLocalConfig {
  /** Directories the BGP speakers' control sockets may be in (an adapter's endpoint outside them is refused). */
  socketDirs?: string[];
  /** birdc to run (absolute, or a name looked up on PATH) and the directory the bird2 adapter writes its include file in (default <dataDir>/bird). */
  bird2?: { birdc?: string; includeDir?: string };
}

export const DEFAULT_MITIGATION_LOCAL: MitigationLocalConfig = {
  socketDirs: ['/run/bird', '/var/run/bird', '/run/frr', '/var/run/frr', '/run/breakwater', '/var/run/breakwater', '/run/gobgp', '/var/run/gobgp'],
  bird2: { birdc: 'birdc' },
};

const REACH = OUTBOUND_REACH.join(', ');
const ReachList = Type.Array(Type.Union(OUTBOUND_REACH.map((r) => Type.Literal(r))), {
  allowed: `a list of ${REACH} (public addresses are always allowed; link-local and metadata never)`,
});
const reachMap = (types: readonly string[]) => Type.Object(Object.fromEntries(['*', ...types].map((t) => [t, Type.Optional(ReachList)])), {
  additionalProperties: false, allowed: `an object of type → list of ${REACH}`,
});

/** What each type may reach beyond public addresses, per type or '*'. */
export const OutboundConfigSchema = Type.Object({
  channels: Type.Optional(reachMap(CHANNEL_TYPES)),
  adapters: Type.Optional(reachMap(ADAPTER_TYPES)),
  scrubbing: Type.Optional(reachMap(SCRUBBING_TYPES)),
  deploy: Type.Optional(ReachList),
}, { allowed: 'an object with channels, adapters, scrubbing and/or deploy' });

export function resolveOutbound(partial: OutboundConfig | undefined): Required<OutboundConfig> {
  const o = validateConfig(OutboundConfigSchema, partial === undefined ? {} : partial, { label: 'config ', rootKey: 'outbound' });
  const merged = <K extends string>(given: Partial<Record<string, OutboundReach[]>> | undefined, defaults: Partial<Record<K, OutboundReach[]>> = {}) => {
    const out: Partial<Record<K, OutboundReach[]>> = { ...defaults };
    for (const [t, list] of Object.entries(given ?? {})) if (list) out[t as K] = [...new Set(list)];
    return out;
  };
  return { channels: merged(o.channels, DEFAULT_OUTBOUND.channels), adapters: merged(o.adapters, DEFAULT_OUTBOUND.adapters), scrubbing: merged(o.scrubbing, {}), deploy: [...new Set(o.deploy ?? [])] };
}

/** What one type may reach: its own grants and those for every type. */
export function reachOf(map: OutboundConfig['channels'] | OutboundConfig['adapters'] | OutboundConfig['scrubbing'], type: string): OutboundReach[] {
  const m = (map ?? {}) as Partial<Record<string, OutboundReach[]>>;
  return [...new Set([...(m[type] ?? []), ...(m['*'] ?? [])])];
}

/** Where the BGP adapters' program, include file and control sockets are on this host. */
export const MitigationLocalSchema = Type.Object({
  socketDirs: Type.Array(Type.String({ pattern: '^/' }), { default: DEFAULT_MITIGATION_LOCAL.socketDirs, allowed: 'a list of absolute directory paths' }),
  bird2: Type.Object({
    birdc: Type.String({ pattern: '^(/[^\\u0000\\n]*|[^/\\u0000\\n]+)$', default: 'birdc', allowed: 'an absolute path or a program name looked up on PATH' }),
    includeDir: Type.Optional(Type.String({ allowed: 'a directory path' })),
  }, { default: {} }),
});

export function resolveMitigationLocal(m: MitigationLocalConfig, dataDir: string): Required<MitigationLocalConfig> {
  const o = validateConfig(MitigationLocalSchema, { socketDirs: m.socketDirs, bird2: m.bird2 }, { label: 'config ', rootKey: 'mitigation' });
  return { socketDirs: [...o.socketDirs], bird2: { birdc: o.bird2.birdc, includeDir: resolve(o.bird2.includeDir ?? join(dataDir, 'bird')) } };
}

/**
 * Grants as an operator types them: "channels.webhook=loopback,private", "adapters.*=private"
 * (one per --outbound-allow flag, or ";"-separated in BREAKWATER_OUTBOUND_ALLOW).
 */
export function parseOutboundAllow(items: readonly string[]): OutboundConfig {
  const out: { channels: Record<string, OutboundReach[]>; adapters: Record<string, OutboundReach[]>; scrubbing: Record<string, OutboundReach[]>; deploy?: OutboundReach[] } = { channels: {}, adapters: {}, scrubbing: {} };
  for (const item of items) {
    const d = /^deploy=([a-z,]*)$/.exec(item.trim());
    if (d) {
      out.deploy = d[1] ? d[1].split(',') as OutboundReach[] : [];
      continue;
    }
    const m = /^(channels|adapters|scrubbing)\.([A-Za-z0-9_*]+)=([a-z,]*)$/.exec(item.trim());
    if (!m) throw new Error(`config outbound: ${JSON.stringify(item)} must be channels.TYPE=RANGES, adapters.TYPE=RANGES, scrubbing.TYPE=RANGES or deploy=RANGES (TYPE or *, RANGES a comma list of ${OUTBOUND_REACH.join(', ')}, or empty)`);
    out[m[1] as 'channels' | 'adapters' | 'scrubbing'][m[2]!] = m[3] ? m[3].split(',') as OutboundReach[] : [];
  }
  return out;
}
