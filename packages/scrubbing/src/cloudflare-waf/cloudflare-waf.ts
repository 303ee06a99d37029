// Cloudflare WAF: no diversion — a zone's traffic already flows through Cloudflare's proxy. The
// nearest documented action is the zone's security level: enable sets it to Under Attack Mode
// (`under_attack`: every visitor gets a JavaScript challenge before reaching the origin), disable
// puts back the level the zone had before.
//
//   GET   /zones/{zone_id}/settings/security_level   → {id, value, editable, modified_on}
//   PATCH /zones/{zone_id}/settings/security_level   {"value": "under_attack"}
//
// Why the security level and not a rate-limiting or custom rule: it is one setting that every plan
// has, its previous value restores the zone exactly, and it cannot collide with the operator's own
// rulesets (rate-limiting rules depend on the plan's entitlements and share the phase entry point).
// The level before enable is remembered while the process runs; a provider made after a restart
// does not know it and restores `normal_level` (default medium) — the server's stored diversion is
// what says the zone is ours to restore. A zone already at the attack level when enable comes is
// left as it is, and disable then restores normal_level.
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { CLOUDFLARE_API, cloudflareApi, verifyToken } from '../cloudflare-common/api.ts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { serialQueue } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { covers, namedTarget } from '../targets.ts';

export const CLOUDFLARE_WAF_CAPABILITIES: ScrubbingCapabilities = {
  diverts: false,
  mechanism: 'edge_security_level',
  action: 'Cloudflare proxies the zone already, so nothing is rerouted: the zone\'s security level goes to Under Attack Mode (a challenge before every visitor reaches the origin) and back to its previous level on disable',
  target_kind: 'zone',
  // A zone setting applies across Cloudflare's network within seconds; no longer window is documented.
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: [
    'https://developers.cloudflare.com/waf/tools/security-level/',
    'https://developers.cloudflare.com/fundamentals/reference/under-attack-mode/',
    'https://developers.cloudflare.com/api/resources/zones/subresources/settings/methods/edit/',
    'https://developers.cloudflare.com/api/resources/zones/subresources/settings/methods/get/',
  ],
};

interface Setting { value?: unknown; modified_on?: unknown }

export const createCloudflareWafProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('cloudflare_waf', raw);
  const api = cloudflareApi(deps, baseUrl(cfg.api_url, CLOUDFLARE_API), cfg.api_token);
  const attack = cfg.attack_level ?? 'under_attack';
  const normal = cfg.normal_level ?? 'medium';
  const path = `/zones/${cfg.zone_id}/settings/security_level`;
  const origins = cfg.origin_addresses ?? [];
  const queue = serialQueue();
  /** The level the zone had before this process set the attack level. */
  let before: string | null = null;

  const stateOf = (s: Setting | null): ScrubbingStatus => {
    const value = typeof s?.value === 'string' ? s.value : 'unknown';
    const at = typeof s?.modified_on === 'string' ? Date.parse(s.modified_on) : NaN;
    const since = Number.isNaN(at) ? null : new Date(at).toISOString();
    const on = value === attack;
    return { target: cfg.zone_id, state: on ? 'diverting' : 'idle', since, settles_at: null, detail: `security level ${value.slice(0, 20)}${on ? ' (attack level)' : ''}` };
  };

  const read = async () => (await api('GET', path, 'read the zone security level')) as Setting | null;
  const write = async (value: string) => stateOf((await api('PATCH', path, `set the zone security level to ${value}`, { value })) as Setting | null);

  const provider: ScrubbingProvider = {
    type: 'cloudflare_waf',
    capabilities: CLOUDFLARE_WAF_CAPABILITIES,
    targetFor: (address) => (address.trim() === cfg.zone_id || covers(origins, address) ? cfg.zone_id : null),
    targets: () => [cfg.zone_id],
    test: () => verifyToken(deps, api),
    status: async (target) => {
      namedTarget([cfg.zone_id], target);
      return stateOf(await read());
    },
    enable: async (target) => {
      namedTarget([cfg.zone_id], target);
      return queue(async () => {
        const now = await read();
        if (now?.value === attack) return stateOf(now);
        before = typeof now?.value === 'string' ? now.value : null;
        return write(attack);
      });
    },
    disable: async (target) => {
      namedTarget([cfg.zone_id], target);
      return queue(async () => {
        const now = await read();
        if (now?.value !== attack) return stateOf(now);
        const restore = before ?? normal;
        const s = await write(restore);
        before = null;
        return s;
      });
    },
  };
  return provider;
};
