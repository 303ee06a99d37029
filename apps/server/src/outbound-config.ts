// The server config's say on what adapters and channels touch outside the process: which
// non-public address ranges each type may call (outbound), and where the BGP adapters' program,
// files and sockets are on this host (mitigation.socketDirs, mitigation.bird2). None of it can
// come from the API.
import { isAbsolute, join, resolve } from 'node:path';
import { ADAPTER_TYPES, CHANNEL_TYPES, OUTBOUND_REACH, type AdapterType, type ChannelType, type OutboundReach } from '@breakwater/contracts';

export interface OutboundConfig {
  /** Per channel type, or '*' for every type: the ranges beyond public addresses it may call. */
  channels?: Partial<Record<ChannelType | '*', OutboundReach[]>>;
  /** Per adapter type, or '*': the same for mitigation adapters. (Both optional in what callers pass; resolveConfig fills them.) */
  adapters?: Partial<Record<AdapterType | '*', OutboundReach[]>>;
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

function reachList(key: string, v: unknown): OutboundReach[] {
  if (!Array.isArray(v) || !v.every((x) => (OUTBOUND_REACH as readonly unknown[]).includes(x))) {
    throw new Error(`config ${key}: must be a list of ${OUTBOUND_REACH.join(', ')} (public addresses are always allowed; link-local and metadata never), got ${JSON.stringify(v)}`);
  }
  return [...new Set(v as OutboundReach[])];
}

function reachMap<K extends string>(key: string, v: unknown, types: readonly string[], defaults: Partial<Record<K, OutboundReach[]>> = {}): Partial<Record<K, OutboundReach[]>> {
  if (v === undefined) return { ...defaults };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`config ${key}: must be an object of type → list of ${OUTBOUND_REACH.join(', ')}`);
  const out: Partial<Record<K, OutboundReach[]>> = { ...defaults };
  for (const [t, list] of Object.entries(v)) {
    if (t !== '*' && !types.includes(t)) throw new Error(`config ${key}.${t}: unknown type (allowed: *, ${types.join(', ')})`);
    out[t as K] = reachList(`${key}.${t}`, list);
  }
  return out;
}

export function resolveOutbound(partial: OutboundConfig | undefined): Required<OutboundConfig> {
  if (partial !== undefined && (!partial || typeof partial !== 'object')) throw new Error('config outbound: must be an object with channels and/or adapters');
  return {
    channels: reachMap('outbound.channels', partial?.channels, CHANNEL_TYPES, DEFAULT_OUTBOUND.channels),
    adapters: reachMap('outbound.adapters', partial?.adapters, ADAPTER_TYPES, DEFAULT_OUTBOUND.adapters),
  };
}

/** What one type may reach: its own grants and those for every type. */
export function reachOf(map: OutboundConfig['channels'] | OutboundConfig['adapters'], type: string): OutboundReach[] {
  const m = (map ?? {}) as Partial<Record<string, OutboundReach[]>>;
  return [...new Set([...(m[type] ?? []), ...(m['*'] ?? [])])];
}

export function resolveMitigationLocal(m: MitigationLocalConfig, dataDir: string): Required<MitigationLocalConfig> {
  const socketDirs = m.socketDirs ?? DEFAULT_MITIGATION_LOCAL.socketDirs;
  if (!Array.isArray(socketDirs) || !socketDirs.every((d) => typeof d === 'string' && isAbsolute(d))) {
    throw new Error(`config mitigation.socketDirs: must be a list of absolute directory paths, got ${JSON.stringify(socketDirs)}`);
  }
  const birdc = m.bird2?.birdc ?? 'birdc';
  if (typeof birdc !== 'string' || birdc.length === 0 || /[\0\n]/.test(birdc) || (birdc.includes('/') && !isAbsolute(birdc))) {
    throw new Error(`config mitigation.bird2.birdc: must be an absolute path or a program name looked up on PATH, got ${JSON.stringify(birdc)}`);
  }
  const includeDir = m.bird2?.includeDir ?? join(dataDir, 'bird');
  if (typeof includeDir !== 'string' || !isAbsolute(resolve(includeDir))) throw new Error(`config mitigation.bird2.includeDir: must be a directory path, got ${JSON.stringify(includeDir)}`);
  return { socketDirs: [...socketDirs], bird2: { birdc, includeDir: resolve(includeDir) } };
}

/**
 * Grants as an operator types them: "channels.webhook=loopback,private", "adapters.*=private"
 * (one per --outbound-allow flag, or ";"-separated in BREAKWATER_OUTBOUND_ALLOW).
 */
export function parseOutboundAllow(items: readonly string[]): OutboundConfig {
  const out: { channels: Record<string, OutboundReach[]>; adapters: Record<string, OutboundReach[]> } = { channels: {}, adapters: {} };
  for (const item of items) {
    const m = /^(channels|adapters)\.([A-Za-z0-9*]+)=([a-z,]*)$/.exec(item.trim());
    if (!m) throw new Error(`config outbound: ${JSON.stringify(item)} must be channels.TYPE=RANGES or adapters.TYPE=RANGES (TYPE or *, RANGES a comma list of ${OUTBOUND_REACH.join(', ')}, or empty)`);
    out[m[1] as 'channels' | 'adapters'][m[2]!] = m[3] ? m[3].split(',') as OutboundReach[] : [];
  }
  return out;
}
