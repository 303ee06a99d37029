// Linode (Akamai): no diversion. Linode's DDoS protection is always on for every Linode, at no
// charge, and has no API switch; the nearest documented action is the Cloud Firewall. While
// diverting, rules labelled bw-scrub-* are placed first in the firewall's inbound list: per public
// rule, ACCEPT from allowed_sources then DROP from everyone (the first matching rule wins), so only
// the allowed sources still reach those ports. Linode's rules PUT replaces the whole rule set, so
// every change reads the rules, keeps the operator's own rules as they are, and writes ours in or
// out. Status and recovery after a restart read the labels back.
import type { ScrubbingCapabilities, ScrubbingStatus } from '@breakwater/contracts';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, serialQueue, type ProviderReply } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { covers, namedTarget } from '../targets.ts';
import { probeTest } from '../test-result.ts';
import {
  DEFAULT_API_URL, DOCS, MAX_RULES, getFirewall, isOurs, lockdownRules, parseRules, putRules, reasonOf,
  type LinodeRequest, type LinodeRule, type LinodeRules, type PublicRule,
} from './api.ts';

export const LINODE_CAPABILITIES: ScrubbingCapabilities = {
  diverts: false,
  mechanism: 'firewall_rules',
  action: 'Linode\'s DDoS protection is always on and has no switch: the Cloud Firewall gets DROP rules placed first on the public ports (ACCEPT from the allowed sources ahead of them) until disable removes them',
  target_kind: 'resource',
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: DOCS,
};


/** The fields that make one of our rules what we meant (the description is only a note). */
const shape = (r: LinodeRule) => JSON.stringify([r.label, r.action, r.protocol, r.ports ?? '', [...(r.addresses.ipv4 ?? [])].sort(), [...(r.addresses.ipv6 ?? [])].sort()]);

interface FirewallView { label: string; status: string; rules: LinodeRules }

export const createLinodeProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('linode', raw);
  const base = baseUrl(cfg.api_url, DEFAULT_API_URL);
  const secrets = [cfg.api_token];
  const queue = serialQueue();
  const target = String(cfg.firewall_id);
  const publicRules = cfg.public_rules as PublicRule[];
  const allowed = cfg.allowed_sources ?? [];
  const wanted = (reason: string) => lockdownRules(publicRules, allowed, reason);
  const wantedShapes = wanted('').map(shape);

  async function call(req: LinodeRequest, what: string): Promise<ProviderReply> {
    const headers: Record<string, string> = { authorization: `Bearer ${cfg.api_token}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const reply = await providerCall(deps, { method: req.method, url: joinUrl(base, req.path), headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) }, `linode: ${what}`, secrets);
    if (reply.status >= 200 && reply.status < 300) return reply;
    throw replyFailure(`linode: ${what}`, reply, secrets, reasonOf(reply.json), deps);
  }

  async function firewall(): Promise<FirewallView> {
    const reply = await call(getFirewall(cfg.firewall_id), 'read the Cloud Firewall');
    const o = reply.json as { label?: unknown; status?: unknown; rules?: unknown } | null;
    const rules = parseRules(o?.rules);
    if (!rules) throw new ScrubbingError('provider', 'linode: read the Cloud Firewall: the reply holds no rules', { status: reply.status });
    return { label: typeof o?.label === 'string' ? o.label : target, status: typeof o?.status === 'string' ? o.status : 'enabled', rules };
  }

  function statusOf(fw: FirewallView): ScrubbingStatus {
    const ours = fw.rules.inbound.filter(isOurs);
    const head = fw.rules.inbound.slice(0, wantedShapes.length).map(shape);
    const base = { target, since: null, settles_at: null };
    if (ours.length === 0) return { ...base, state: 'idle', detail: `firewall ${fw.label}: no Breakwater rules (Linode's always-on DDoS protection still applies)` };
    const complete = ours.length === wantedShapes.length && head.every((s, i) => s === wantedShapes[i]);
    if (!complete) return { ...base, state: 'failed', detail: `firewall ${fw.label}: Breakwater's rules are partly in place or out of order; enable or disable again completes it` };
    if (fw.status !== 'enabled') return { ...base, state: 'failed', detail: `firewall ${fw.label} is ${fw.status}: its rules are not enforced` };
    return { ...base, state: 'diverting', detail: `firewall ${fw.label}: public ports admit only ${allowed.length} allowed source(s) (no diversion: Linode has no scrubbing switch)` };
  }

  async function write(fw: FirewallView, inbound: LinodeRule[], what: string): Promise<FirewallView> {
    const reply = await call(putRules(cfg.firewall_id, { ...fw.rules, inbound }), what);
    const rules = parseRules(reply.json) ?? { ...fw.rules, inbound };
    return { ...fw, rules };
  }

  const provider: ScrubbingProvider = {
    type: 'linode',
    capabilities: LINODE_CAPABILITIES,
    // The target itself (an operator naming it) or an attacked address the Linodes hold.
    targetFor: (address) => (address.trim() === target || covers(cfg.addresses, address) ? target : null),
    targets: () => [target],
    test: () => probeTest(deps, firewall),
    status: (t) => queue(async () => { namedTarget([target], t); return statusOf(await firewall()); }),
    enable: (t, reason) => queue(async () => {
      namedTarget([target], t);
      const fw = await firewall();
      if (statusOf(fw).state === 'diverting') return statusOf(fw);
      const theirs = fw.rules.inbound.filter((r) => !isOurs(r));
      const ours = wanted(reason);
      if (theirs.length + ours.length + fw.rules.outbound.length > MAX_RULES) {
        throw ScrubbingError.config('config.public_rules', `the firewall holds ${theirs.length + fw.rules.outbound.length} rules and Linode allows ${MAX_RULES}: ${ours.length} more do not fit (name fewer public rules or allowed sources)`);
      }
      return statusOf(await write(fw, [...ours, ...theirs], 'place the Breakwater rules first'));
    }),
    disable: (t) => queue(async () => {
      namedTarget([target], t);
      const fw = await firewall();
      if (!fw.rules.inbound.some(isOurs)) return statusOf(fw);
      return statusOf(await write(fw, fw.rules.inbound.filter((r) => !isOurs(r)), 'remove the Breakwater rules'));
    }),
  };
  return provider;
};
