// OVHcloud: every OVH IP sits behind the VAC, OVH's scrubbing, which by default steps in only when
// OVH detects an attack ("auto"). Enable forces permanent mitigation for one IPv4 address, so all
// its traffic goes through the VAC from then on; disable removes the permanent entry and the
// address is back to automatic mitigation.
//
//   POST   /ip/{ip}/mitigation                   {"ipOnMitigation": "203.0.113.7"}  → ip.MitigationIp
//   GET    /ip/{ip}/mitigation/{ipOnMitigation}  → {ipOnMitigation, permanent, auto, state} (404: not on mitigation)
//   DELETE /ip/{ip}/mitigation/{ipOnMitigation}
// {ip} is the IP block as OVH names it (e.g. 203.0.113.0/24, URL-encoded in the path); state is
// creationPending → ok → removalPending. OVH documents no duration for these, so the state follows
// OVH's: creationPending = propagating, ok = diverting, removalPending = withdrawing. OVH accepts
// IPv4 addresses only for ipOnMitigation.
// https://eu.api.ovh.com/console/?section=%2Fip&branch=v1#post-/ip/-ip-/mitigation
// https://help.ovhcloud.com/csm/en-gb-dedicated-servers-ddos-protection?id=kb_article_view&sysparm_article=KB0043800
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { parseAddress } from '@breakwater/contracts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { serialQueue } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { coveringEntry } from '../targets.ts';
import { probeTest } from '../test-result.ts';
import { OVH_ENDPOINTS, ovhApi } from './ovh-api.ts';

export const OVH_CAPABILITIES: ScrubbingCapabilities = {
  diverts: true,
  mechanism: 'forced_mitigation',
  action: 'OVH puts the address in permanent mitigation: all its traffic goes through the VAC scrubbing instead of only when OVH detects an attack; disable returns it to automatic mitigation',
  target_kind: 'ip',
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: [
    'https://eu.api.ovh.com/console/?section=%2Fip&branch=v1',
    'https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784',
    'https://www.ovhcloud.com/en/security/anti-ddos/',
  ],
};

interface MitigationIp { ipOnMitigation?: unknown; permanent?: unknown; auto?: unknown; state?: unknown }

export function stateOfMitigation(target: string, m: MitigationIp | null, now: number): ScrubbingStatus {
  const base = { target, since: null, settles_at: null };
  if (!m) return { ...base, state: 'idle', detail: 'not on mitigation' };
  const state = typeof m.state === 'string' ? m.state : 'unknown';
  if (state === 'removalPending') return { ...base, state: 'withdrawing', detail: 'OVH is removing the permanent mitigation (removalPending)' };
  if (m.permanent !== true) return { ...base, state: 'idle', detail: m.auto === true ? 'automatic mitigation only (OVH detected traffic and mitigates on its own)' : 'not on permanent mitigation' };
  if (state === 'creationPending') return { ...base, state: 'propagating', since: new Date(now).toISOString(), detail: 'OVH is setting up permanent mitigation (creationPending)' };
  if (state === 'ok') return { ...base, state: 'diverting', detail: 'permanent mitigation: all traffic goes through the VAC' };
  return { ...base, state: 'failed', detail: `OVH reports mitigation state ${JSON.stringify(state.slice(0, 30))}` };
}

export const createOvhMitigationProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('ovh_mitigation', raw);
  const blocks = cfg.ip_blocks.map((b, i) => {
    if (parseAddress(b.split('/')[0]!)?.family !== 4) throw ScrubbingError.config(`config.ip_blocks[${i}]`, 'must be an IPv4 block: OVH puts IPv4 addresses on permanent mitigation only');
    return b;
  });
  const api = ovhApi(deps, baseUrl(cfg.api_url, OVH_ENDPOINTS[cfg.endpoint ?? 'ovh-eu']), {
    applicationKey: cfg.application_key, applicationSecret: cfg.application_secret, consumerKey: cfg.consumer_key,
  });
  const queue = serialQueue();

  /** An IPv4 address inside a configured block (a /32 counts as its address), and that block. */
  function locate(text: string): { ip: string; block: string } | null {
    if (typeof text !== 'string') return null;
    const t = text.trim().replace(/\/32$/, '');
    if (parseAddress(t)?.family !== 4) return null;
    const block = coveringEntry(blocks, t);
    return block ? { ip: t, block } : null;
  }
  function named(target: string): { ip: string; block: string } {
    const hit = locate(target);
    if (!hit) throw ScrubbingError.config('target', `must be an IPv4 address inside one of this integration's ip_blocks (${blocks.slice(0, 5).join(', ')}), got ${JSON.stringify(String(target).slice(0, 64))}`);
    return hit;
  }
  const path = (t: { ip: string; block: string }) => `/ip/${encodeURIComponent(t.block)}/mitigation`;

  async function read(t: { ip: string; block: string }): Promise<MitigationIp | null> {
    const reply = await api('GET', `${path(t)}/${encodeURIComponent(t.ip)}`, `read the mitigation of ${t.ip}`);
    return reply.status === 404 ? null : (reply.json as MitigationIp | null);
  }

  const provider: ScrubbingProvider = {
    type: 'ovh_mitigation',
    capabilities: OVH_CAPABILITIES,
    targetFor: (address) => locate(address)?.ip ?? null,
    // Targets are addresses inside the blocks; only single-address blocks name one outright.
    targets: () => blocks.filter((b) => b.endsWith('/32')).map((b) => b.slice(0, -3)),
    test: () => probeTest(deps, async () => {
      const reply = await api('GET', '/auth/currentCredential', 'read the current credential');
      if (reply.status === 404) throw new ScrubbingError('auth', 'ovh: read the current credential: HTTP 404: no credential for this consumer key');
    }),
    status: async (target) => {
      const t = named(target);
      return stateOfMitigation(t.ip, await read(t), deps.now());
    },
    enable: async (target) => {
      const t = named(target);
      return queue(async () => {
        const now = stateOfMitigation(t.ip, await read(t), deps.now());
        if (now.state === 'propagating' || now.state === 'diverting') return now;
        const reply = await api('POST', path(t), `put ${t.ip} on permanent mitigation`, { ipOnMitigation: t.ip });
        if (reply.status === 404) throw new ScrubbingError('refused', `ovh: the account has no IP block ${t.block} (HTTP 404)`, { status: 404 });
        return stateOfMitigation(t.ip, (reply.json as MitigationIp | null) ?? { permanent: true, state: 'creationPending' }, deps.now());
      });
    },
    disable: async (target) => {
      const t = named(target);
      return queue(async () => {
        const now = await read(t);
        const s = stateOfMitigation(t.ip, now, deps.now());
        if (!now || now.permanent !== true || s.state === 'withdrawing') return s;
        const reply = await api('DELETE', `${path(t)}/${encodeURIComponent(t.ip)}`, `take ${t.ip} off permanent mitigation`);
        // Gone meanwhile: the goal is reached.
        if (reply.status === 404) return stateOfMitigation(t.ip, null, deps.now());
        const after = reply.json as MitigationIp | null;
        return stateOfMitigation(t.ip, after && typeof after === 'object' && 'state' in after ? after : { permanent: true, state: 'removalPending' }, deps.now());
      });
    },
  };
  return provider;
};
