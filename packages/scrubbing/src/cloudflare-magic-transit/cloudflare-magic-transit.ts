// Cloudflare Magic Transit, on demand: the one type here that really diverts. Enable asks Cloudflare
// to advertise a BYOIP prefix onboarded for on-demand advertisement; from then on the Internet
// routes it to Cloudflare, which scrubs it and sends the clean traffic down the customer's tunnels.
// Disable withdraws the advertisement and traffic returns to the customer's own announcement.
//
//   PATCH /accounts/{account_id}/addressing/prefixes/{prefix_id}/bgp/status  {"advertised": true|false}
//   GET   /accounts/{account_id}/addressing/prefixes/{prefix_id}/bgp/status  → {advertised, advertised_modified_at}
//   GET   /accounts/{account_id}/addressing/prefixes                         → the prefix id by CIDR (unless the config names it)
//
// Cloudflare documents that enabling takes two to seven minutes and disabling about fifteen, and its
// status says only advertised or not (with the time of the change). So the state is advertised and
// less than 7 min since the change: `propagating` (settles_at says until when); advertised longer:
// `diverting`; withdrawn less than 15 min ago: `withdrawing`; else `idle`. A prefix onboarded as
// always-on (not on_demand_enabled) is reported `diverting` but is not ours to enable or withdraw.
// Cloudflare marks these two endpoints deprecated in favour of the BGP Prefixes endpoints (which can
// also advertise subnets); they still work and are what an on-demand prefix as onboarded uses.
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { CLOUDFLARE_API, cloudflareApi, verifyToken } from '../cloudflare-common/api.ts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { serialQueue } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { coveringEntry, namedTarget } from '../targets.ts';
import { canonicalPrefix } from '@breakwater/contracts';

export const ADVERTISE_SECONDS = 7 * 60;
export const WITHDRAW_SECONDS = 15 * 60;

export const MAGIC_TRANSIT_CAPABILITIES: ScrubbingCapabilities = {
  diverts: true,
  mechanism: 'bgp_advertisement',
  action: 'Cloudflare advertises the on-demand BYOIP prefix: the Internet routes it through Cloudflare\'s scrubbing, clean traffic comes back down the Magic Transit tunnels',
  target_kind: 'prefix',
  advertise_seconds: ADVERTISE_SECONDS,
  withdraw_seconds: WITHDRAW_SECONDS,
  docs: [
    'https://developers.cloudflare.com/byoip/concepts/dynamic-advertisement/',
    'https://developers.cloudflare.com/magic-transit/on-demand/',
    'https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/subresources/advertisement_status/methods/edit/',
    'https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/subresources/advertisement_status/methods/get/',
    'https://developers.cloudflare.com/api/resources/addressing/subresources/prefixes/methods/list/',
  ],
};

interface CfPrefix { id?: unknown; cidr?: unknown; on_demand_enabled?: unknown }
interface BgpStatus { advertised?: unknown; advertised_modified_at?: unknown }

/** The state Cloudflare's {advertised, advertised_modified_at} means at `now`. */
export function stateOfAdvertisement(target: string, s: BgpStatus, now: number, alwaysOn = false): ScrubbingStatus {
  const advertised = s.advertised === true;
  const at = typeof s.advertised_modified_at === 'string' ? Date.parse(s.advertised_modified_at) : NaN;
  const since = Number.isNaN(at) ? null : new Date(at).toISOString();
  if (alwaysOn) return { target, state: advertised ? 'diverting' : 'idle', since, settles_at: null, detail: `always-on prefix (${advertised ? 'advertised' : 'not advertised'}): not configured for on-demand advertisement` };
  const window = (advertised ? ADVERTISE_SECONDS : WITHDRAW_SECONDS) * 1000;
  const settles = Number.isNaN(at) ? NaN : at + window;
  if (!Number.isNaN(settles) && now < settles) {
    return advertised
      ? { target, state: 'propagating', since, settles_at: new Date(settles).toISOString(), detail: 'advertised; Cloudflare documents 2–7 minutes until the Internet routes it through Cloudflare' }
      : { target, state: 'withdrawing', since, settles_at: new Date(settles).toISOString(), detail: 'withdrawn; Cloudflare documents about 15 minutes until traffic is back on the direct path' };
  }
  return { target, state: advertised ? 'diverting' : 'idle', since, settles_at: null, detail: advertised ? 'advertised by Cloudflare' : 'not advertised by Cloudflare' };
}

export const createCloudflareMagicTransitProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('cloudflare_magic_transit', raw);
  const api = cloudflareApi(deps, baseUrl(cfg.api_url, CLOUDFLARE_API), cfg.api_token);
  const acct = `/accounts/${cfg.account_id}`;
  const prefixes = cfg.prefixes.map((p, i) => {
    const cidr = canonicalPrefix(p.cidr);
    if (!cidr || cidr !== p.cidr.toLowerCase()) throw ScrubbingError.config(`config.prefixes[${i}].cidr`, `must be a network prefix as onboarded (${cidr ? `did you mean ${cidr}?` : 'like 203.0.113.0/24'})`);
    return { cidr, id: p.prefix_id ?? null };
  });
  const known = prefixes.map((p) => p.cidr);
  const ids = new Map(prefixes.filter((p) => p.id).map((p) => [p.cidr, p.id!]));
  const alwaysOn = new Set<string>();
  const queue = serialQueue();

  async function idOf(cidr: string): Promise<string> {
    const have = ids.get(cidr);
    if (have) return have;
    const list = await api('GET', `${acct}/addressing/prefixes`, 'list IP prefixes');
    for (const p of Array.isArray(list) ? (list as CfPrefix[]) : []) {
      const c = typeof p.cidr === 'string' ? canonicalPrefix(p.cidr) : null;
      if (!c || typeof p.id !== 'string') continue;
      if (known.includes(c)) ids.set(c, p.id);
      if (p.on_demand_enabled === false) alwaysOn.add(c); else alwaysOn.delete(c);
    }
    const found = ids.get(cidr);
    if (!found) throw new ScrubbingError('refused', `cloudflare: the account has no IP prefix ${cidr} (onboard it with BYOIP for on-demand advertisement, or give its prefix_id)`);
    return found;
  }

  async function read(cidr: string): Promise<ScrubbingStatus> {
    const id = await idOf(cidr);
    const s = (await api('GET', `${acct}/addressing/prefixes/${id}/bgp/status`, `read the advertisement of ${cidr}`)) as BgpStatus | null;
    return stateOfAdvertisement(cidr, s ?? {}, deps.now(), alwaysOn.has(cidr));
  }

  async function set(cidr: string, advertised: boolean): Promise<ScrubbingStatus> {
    const current = await read(cidr);
    const on = current.state === 'propagating' || current.state === 'diverting';
    // Idempotent: already where asked (a second PATCH would restart nothing, but also tell nothing).
    if (on === advertised) return current;
    if (alwaysOn.has(cidr)) throw new ScrubbingError('refused', `cloudflare: ${cidr} is an always-on prefix, not configured for on-demand advertisement`);
    const id = await idOf(cidr);
    const s = (await api('PATCH', `${acct}/addressing/prefixes/${id}/bgp/status`, `${advertised ? 'advertise' : 'withdraw'} ${cidr}`, { advertised })) as BgpStatus | null;
    // Cloudflare answers with the new state and its time; an answer without the time counts from now.
    const answer = { advertised: s?.advertised ?? advertised, advertised_modified_at: s?.advertised_modified_at ?? new Date(deps.now()).toISOString() };
    return stateOfAdvertisement(cidr, answer, deps.now());
  }

  const provider: ScrubbingProvider = {
    type: 'cloudflare_magic_transit',
    capabilities: MAGIC_TRANSIT_CAPABILITIES,
    targetFor: (address) => coveringEntry(known, address),
    targets: () => [...known],
    test: () => verifyToken(deps, api),
    status: async (target) => read(namedTarget(known, target)),
    enable: async (target) => {
      const cidr = namedTarget(known, target);
      return queue(() => set(cidr, true));
    },
    disable: async (target) => {
      const cidr = namedTarget(known, target);
      return queue(() => set(cidr, false));
    },
  };
  return provider;
};
