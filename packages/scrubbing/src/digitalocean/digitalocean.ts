// DigitalOcean: no diversion. DigitalOcean's API documents no customer switch that reroutes a
// Droplet's traffic through scrubbing (whatever it filters on its own network is not ours to turn
// on or off), so enable does
// the nearest documented action: the Cloud Firewall in front of the Droplets stops admitting
// everyone on its public rules and admits only allowed_sources there (a Cloud Firewall drops what no
// rule admits). The narrow rules are added before the broad ones are removed, so an allowed source
// is never cut off in between. Disable puts the broad rules back, then removes the narrow ones.
// All state lives in the firewall itself: status (and recovery after a restart) reads it back.
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, serialQueue, type ProviderReply } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { covers, namedTarget } from '../targets.ts';
import { probeTest } from '../test-result.ts';
import {
  DEFAULT_API_URL, DOCS, addRules, broadRule, errorOf, getFirewall, hasRule, looseWorldRule, narrowRule, parseFirewall, removeRules,
  type DoFirewall, type DoRequest, type PublicRule,
} from './api.ts';

export const DIGITALOCEAN_CAPABILITIES: ScrubbingCapabilities = {
  diverts: false,
  mechanism: 'firewall_rules',
  action: 'DigitalOcean has no customer diversion switch: the Cloud Firewall in front of the Droplets narrows its public inbound rules to the allowed sources (everything else is dropped at DigitalOcean\'s edge) until disable restores them',
  target_kind: 'resource',
  // Rule changes reach the Droplets within seconds; the firewall says "waiting" until they have.
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: DOCS,
};


export const createDigitaloceanProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('digitalocean', raw);
  const base = baseUrl(cfg.api_url, DEFAULT_API_URL);
  const secrets = [cfg.api_token];
  const queue = serialQueue();
  const publicRules = cfg.public_rules as PublicRule[];
  const allowed = cfg.allowed_sources ?? [];
  const broad = publicRules.map(broadRule);
  const narrow = allowed.length ? publicRules.map((r) => narrowRule(r, allowed)) : [];

  async function call(req: DoRequest, what: string): Promise<ProviderReply> {
    const headers: Record<string, string> = { authorization: `Bearer ${cfg.api_token}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const reply = await providerCall(deps, { method: req.method, url: joinUrl(base, req.path), headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) }, `digitalocean: ${what}`, secrets);
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw replyFailure(`digitalocean: ${what}`, reply, secrets, errorOf(reply.json)?.message, deps);
  }

  async function firewall(): Promise<DoFirewall> {
    const reply = await call(getFirewall(cfg.firewall_id), 'read the Cloud Firewall');
    const fw = parseFirewall(reply.json);
    if (!fw) throw new ScrubbingError('provider', 'digitalocean: read the Cloud Firewall: the reply holds no firewall', { status: reply.status });
    return fw;
  }

  /** What public_rules says does not match the firewall (a rule open to part of the world only), or null. */
  function mismatch(fw: DoFirewall): string | null {
    const loose = publicRules.find((r) => looseWorldRule(fw, r));
    return loose ? `the firewall admits ${loose.protocol}/${loose.ports} from ${looseWorldRule(fw, loose)!.sources.addresses!.join(', ')}, not exactly 0.0.0.0/0 and ::/0 as public_rules assumes (Breakwater leaves it alone)` : null;
  }

  function statusOf(fw: DoFirewall): ScrubbingStatus {
    const wrong = mismatch(fw);
    if (wrong) return { target: cfg.firewall_id, since: null, settles_at: null, state: 'failed', detail: `firewall ${fw.name || fw.id}: ${wrong}` };
    const broadOn = broad.filter((r) => hasRule(fw, r)).length;
    const narrowOn = narrow.filter((r) => hasRule(fw, r)).length;
    const waiting = fw.status === 'waiting' || fw.pending_changes.length > 0;
    const base = { target: cfg.firewall_id, since: null, settles_at: null };
    if (broadOn === broad.length) {
      return { ...base, state: 'idle', detail: `firewall ${fw.name || fw.id}: public rules open to everyone${waiting ? ' (Droplets being updated)' : ''}` };
    }
    if (broadOn === 0 && narrowOn === narrow.length) {
      return { ...base, state: waiting ? 'propagating' : 'diverting', detail: `firewall ${fw.name || fw.id}: public rules narrowed to ${allowed.length} allowed source(s)${waiting ? '; Droplets being updated' : ''} (no diversion: DigitalOcean has no scrubbing switch)` };
    }
    if (fw.status === 'failed') return { ...base, state: 'failed', detail: `firewall ${fw.name || fw.id}: DigitalOcean reports the firewall failed to apply` };
    return { ...base, state: 'failed', detail: `firewall ${fw.name || fw.id}: partly narrowed (${broad.length - broadOn} of ${broad.length} public rules removed); enable or disable again completes it` };
  }

  const provider: ScrubbingProvider = {
    type: 'digitalocean',
    capabilities: DIGITALOCEAN_CAPABILITIES,
    // The target itself (an operator naming it) or an attacked address the Droplets hold.
    targetFor: (address) => (address.trim() === cfg.firewall_id || covers(cfg.addresses, address) ? cfg.firewall_id : null),
    targets: () => [cfg.firewall_id],
    test: () => probeTest(deps, firewall),
    status: (target) => queue(async () => { namedTarget([cfg.firewall_id], target); return statusOf(await firewall()); }),
    enable: (target) => queue(async () => {
      namedTarget([cfg.firewall_id], target);
      const fw = await firewall();
      const wrong = mismatch(fw);
      if (wrong) throw ScrubbingError.config('config.public_rules', wrong);
      const add = narrow.filter((r) => !hasRule(fw, r));
      if (add.length) await call(addRules(cfg.firewall_id, add), 'add the narrowed inbound rules');
      const remove = broad.filter((r) => hasRule(fw, r));
      if (remove.length) await call(removeRules(cfg.firewall_id, remove), 'remove the public inbound rules');
      return statusOf(await firewall());
    }),
    disable: (target) => queue(async () => {
      namedTarget([cfg.firewall_id], target);
      const fw = await firewall();
      const add = broad.filter((r) => !hasRule(fw, r));
      if (add.length) await call(addRules(cfg.firewall_id, add), 'restore the public inbound rules');
      const remove = narrow.filter((r) => hasRule(fw, r));
      if (remove.length) await call(removeRules(cfg.firewall_id, remove), 'remove the narrowed inbound rules');
      return statusOf(await firewall());
    }),
  };
  return provider;
};
