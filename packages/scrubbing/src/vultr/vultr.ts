// Vultr: enable turns on the instance's DDoS Protection (PATCH /v2/instances/{id}
// {"ddos_protection": true}) — the one DDoS switch Vultr's API documents: from then on Vultr
// mitigates attack traffic towards the instance on its network. Disable turns it off again (it is
// charged extra). Vultr decides when it filters, so "diverting" means the protection is on.
// Whether it is on is the instance's "features" list, which status reads, so a restart loses nothing.
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, serialQueue, type ProviderReply } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { covers, namedTarget } from '../targets.ts';
import { probeTest } from '../test-result.ts';
import { DDOS_FEATURE, DEFAULT_API_URL, DOCS, errorOf, getAccount, getInstance, parseInstance, setDdosProtection, type VultrInstance, type VultrRequest } from './api.ts';

export const VULTR_CAPABILITIES: ScrubbingCapabilities = {
  diverts: true,
  mechanism: 'ddos_protection',
  action: 'turns on the instance\'s Vultr DDoS Protection (Vultr mitigates attack traffic to it on its network; an extra charge) and off again on disable; Vultr firewall groups are not used: they only admit traffic',
  target_kind: 'resource',
  // Vultr documents no delay; the instance lists the feature once it is on.
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: DOCS,
};


export const createVultrProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('vultr', raw);
  const base = baseUrl(cfg.api_url, DEFAULT_API_URL);
  const secrets = [cfg.api_key];
  const queue = serialQueue();
  const ids = new Set(cfg.instances.map((i) => i.id));

  async function call(req: VultrRequest, what: string): Promise<ProviderReply> {
    const headers: Record<string, string> = { authorization: `Bearer ${cfg.api_key}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const reply = await providerCall(deps, { method: req.method, url: joinUrl(base, req.path), headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) }, `vultr: ${what}`, secrets);
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw replyFailure(`vultr: ${what}`, reply, secrets, errorOf(reply.json), deps);
  }

  async function instance(id: string): Promise<VultrInstance> {
    const reply = await call(getInstance(id), 'read the instance');
    const i = parseInstance(reply.json);
    if (!i) throw new ScrubbingError('provider', 'vultr: read the instance: the reply holds no instance', { status: reply.status });
    return i;
  }

  function statusOf(i: VultrInstance): ScrubbingStatus {
    const on = i.features.includes(DDOS_FEATURE);
    const name = i.label || i.id;
    return {
      target: i.id, since: null, settles_at: null,
      state: on ? 'diverting' : 'idle',
      detail: on ? `instance ${name}: Vultr DDoS Protection is on` : `instance ${name}: Vultr DDoS Protection is off`,
    };
  }

  async function set(target: string, on: boolean): Promise<ScrubbingStatus> {
    namedTarget([...ids], target);
    const cur = await instance(target);
    if (cur.features.includes(DDOS_FEATURE) === on) return statusOf(cur);
    const reply = await call(setDdosProtection(target, on), `turn DDoS Protection ${on ? 'on' : 'off'}`);
    // The 202 carries the instance as it now is; read it again if it does not.
    const after = parseInstance(reply.json) ?? await instance(target);
    return statusOf(after);
  }

  const provider: ScrubbingProvider = {
    type: 'vultr',
    capabilities: VULTR_CAPABILITIES,
    // The target itself (an operator naming it) or an attacked address an instance holds.
    targetFor: (address) => (ids.has(address.trim()) ? address.trim() : cfg.instances.find((i) => covers(i.addresses, address))?.id ?? null),
    targets: () => cfg.instances.map((i) => i.id),
    test: () => probeTest(deps, () => call(getAccount(), 'read the account')),
    status: (target) => queue(async () => statusOf(await instance(namedTarget([...ids], target)))),
    enable: (target) => queue(() => set(target, true)),
    disable: (target) => queue(() => set(target, false)),
  };
  return provider;
};
