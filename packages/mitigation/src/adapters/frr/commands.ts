// vtysh command lists for FRR blackholes. FRR does not send a route carrying NO_EXPORT to an
// eBGP peer at all (it obeys the community on its own originations), so NO_EXPORT cannot be set
// where the route is originated: it is added on the way out instead, by the outbound route-map
// Breakwater owns (<prefix>-OUT, which the operator attaches to the upstream neighbors), for
// the prefixes listed in <prefix>-NOEXPORT4/6.
import { createHash } from 'node:crypto';
import { AdapterError } from '../../adapter.ts';
import { isCommunity } from '../bgp-common/options.ts';
import { requirePrefix } from '../rule-prefix.ts';

export const NO_EXPORT = '65535:65281';
export const NO_ADVERTISE = '65535:65282';

export interface FrrNames { out: string; noExport4: string; noExport6: string; origin: (communities: string[]) => string }

export function frrNames(prefix: string): FrrNames {
  return {
    out: `${prefix}-OUT`, noExport4: `${prefix}-NOEXPORT4`, noExport6: `${prefix}-NOEXPORT6`,
    origin: (cs) => `${prefix}-C-${createHash('sha256').update(cs.join(' ')).digest('hex').slice(0, 10)}`,
  };
}

/** The outbound route-map: NO_EXPORT added for our listed prefixes, everything else passed as is. */
export function outRouteMap(n: FrrNames): string[] {
  return [
    'configure terminal',
    `route-map ${n.out} permit 10`, `match ip address prefix-list ${n.noExport4}`, 'set community no-export additive', 'exit',
    `route-map ${n.out} permit 20`, `match ipv6 address prefix-list ${n.noExport6}`, 'set community no-export additive', 'exit',
    `route-map ${n.out} permit 30`, 'exit',
  ];
}

export interface BlackholePlan { family: 4 | 6; prefix: string; originMap: string; communities: string[]; noExport: boolean }

export function planBlackhole(prefix: string, communities: string[], n: FrrNames): BlackholePlan {
  const p = requirePrefix(prefix);
  for (const c of communities) if (!isCommunity(c)) throw new AdapterError(`communities: "${c}" is not ASN:VALUE`, false);
  const plain = [...new Set(communities.filter((c) => c !== NO_EXPORT))].sort();
  return { family: p.family, prefix: p.text, originMap: n.origin(plain), communities: plain, noExport: communities.includes(NO_EXPORT) };
}

const af = (family: 4 | 6) => (family === 4 ? 'ipv4 unicast' : 'ipv6 unicast');
const pl = (family: 4 | 6) => (family === 4 ? 'ip' : 'ipv6');

export function announceCommands(plan: BlackholePlan, localAs: number, n: FrrNames): string[] {
  const list = plan.family === 4 ? n.noExport4 : n.noExport6;
  return [
    'configure terminal',
    // Listed before the route exists, so its first advertisement already carries NO_EXPORT.
    ...(plan.noExport ? [`${pl(plan.family)} prefix-list ${list} permit ${plan.prefix}`] : []),
    `route-map ${plan.originMap} permit 10`,
    ...(plan.communities.length ? [`set community ${plan.communities.join(' ')}`] : []),
    'exit',
    `router bgp ${localAs}`, `address-family ${af(plan.family)}`, `network ${plan.prefix} route-map ${plan.originMap}`, 'exit-address-family', 'exit',
  ];
}

export function withdrawCommands(plan: BlackholePlan, localAs: number, n: FrrNames): string[] {
  const list = plan.family === 4 ? n.noExport4 : n.noExport6;
  return [
    'configure terminal',
    `router bgp ${localAs}`, `address-family ${af(plan.family)}`, `no network ${plan.prefix}`, 'exit-address-family', 'exit',
    ...(plan.noExport ? [`no ${pl(plan.family)} prefix-list ${list} permit ${plan.prefix}`] : []),
  ];
}

/** Prefixes our `network … route-map <prefix>-C-…` lines originate, from `show running-config`. */
export function parseOurNetworks(runningConfig: unknown, prefix: string): string[] {
  if (typeof runningConfig !== 'string') return [];
  const out: string[] = [];
  const re = new RegExp(`^\\s*network (\\S+) route-map ${prefix.replace(/[^A-Za-z0-9_-]/g, '')}-C-[0-9a-f]+\\s*$`);
  for (const line of runningConfig.split('\n')) {
    const m = re.exec(line);
    if (m) out.push(m[1]!.toLowerCase());
  }
  return out;
}

/** Prefixes with a locally originated path in `show bgp ipv4|ipv6 unicast json`. */
export function parseLocalRoutes(json: unknown): string[] {
  let doc: unknown;
  try { doc = typeof json === 'string' ? JSON.parse(json) : json; } catch { return []; }
  const routes = (doc as { routes?: unknown } | null)?.routes;
  if (!routes || typeof routes !== 'object') return [];
  const out: string[] = [];
  for (const [net, paths] of Object.entries(routes as Record<string, unknown>)) {
    if (!Array.isArray(paths)) continue;
    if (paths.some((p) => p && typeof p === 'object' && (p as { peerId?: unknown }).peerId === '(unspec)')) out.push(net.toLowerCase());
  }
  return out;
}
