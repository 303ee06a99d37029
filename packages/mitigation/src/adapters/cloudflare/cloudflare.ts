// Cloudflare (Magic Transit customers): two intents through the Cloudflare API v4.
//
// scrubbing — on-demand advertisement of a BYOIP prefix: Cloudflare announces it and traffic for it
//   goes through Cloudflare's scrubbing. PATCH /accounts/{account_id}/addressing/prefixes/{prefix_id}/bgp/status
//   {"advertised": true|false}. The prefix id is looked up by CIDR (GET /accounts/{account_id}/addressing/prefixes)
//   unless options.prefix_ids names it. Only an IP prefix exactly as onboarded can be advertised.
// blackhole — "drop everything to this destination at Cloudflare's edge": a Magic Firewall rule
//   (Rulesets API, the account's magic_transit root ruleset given as options.ruleset_id) with action
//   block and expression `ip.dst in {prefix}`, placed first so an earlier allow cannot shadow it.
//   IP Access Rules were considered and not used: they match the *client* address of proxied HTTP
//   requests, so they cannot drop a volumetric flood towards an attacked host.
//
// Our firewall rules are recognised by their description "breakwater:<rule id>"; present() reads
// them back from the ruleset, and the advertised state from the prefix list (on-demand prefixes
// only: an always-on prefix is not ours to report or withdraw).
import type { Capability, RuleSpec } from '@breakwater/contracts';
import { AdapterError, type AdapterFactory, type AnnouncedRule, type ConnectivityResult } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { serialQueue } from '../http/http-call.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { endpointUrl, requireToken } from '../http/options.ts';
import { requirePrefix } from '../rule-prefix.ts';
import { cloudflareClient, DEFAULT_ENDPOINT, type CloudflareClient } from './cloudflare-api.ts';

const CAPABILITIES: readonly Capability[] = ['blackhole', 'scrubbing'];
const CF_ID = /^[0-9a-f]{32}$/;

export const CloudflareOptions = Type.Object({
  account_id: Type.String({ pattern: CF_ID.source, allowed: 'a Cloudflare account id (32 hex digits)' }),
  ruleset_id: Type.Optional(Type.String({ pattern: CF_ID.source, allowed: "a ruleset id (32 hex digits): the account's Magic Firewall (magic_transit) root ruleset" })),
  prefix_ids: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9a-fA-F:.]+/\\d{1,3}$' }), Type.String({ pattern: CF_ID.source, allowed: 'a Cloudflare prefix id (32 hex digits)' }), {
    additionalProperties: Type.Never(), allowed: 'an object mapping a CIDR prefix to its Cloudflare prefix id', allowedKeys: 'a CIDR prefix',
  })),
}, { additionalProperties: false });
export const RULE_TAG = 'breakwater:';

interface Settings {
  api: CloudflareClient;
  account: string;
  ruleset: string | null;
  prefixIds: Map<string, string>;
}

interface CfPrefix { id: string; cidr: string; advertised?: boolean; on_demand_enabled?: boolean }
interface CfRule { id: string; action?: string; expression?: string; description?: string; enabled?: boolean }

export const blockExpression = (prefix: string) => `ip.dst in {${prefix}}`;

/** The prefix a rule we wrote blocks, or null for rules of any other shape. */
export function prefixOfExpression(expression: string): string | null {
  const m = /^ip\.dst in \{([0-9a-f:.]+\/\d{1,3})\}$/i.exec(expression.trim());
  return m ? m[1]!.toLowerCase() : null;
}

function parseSettings(config: Parameters<AdapterFactory>[0], deps: Parameters<AdapterFactory>[1]): Settings {
  const base = endpointUrl(config.endpoint, `the Cloudflare API base URL, default ${DEFAULT_ENDPOINT}`, DEFAULT_ENDPOINT);
  const token = requireToken(config.authToken, 'a Cloudflare API token with Magic Firewall Write and IP Prefixes: BGP On Demand Write');
  const o = adapterOptions(CloudflareOptions, config.options, { blankIsAbsent: ['account_id', 'ruleset_id'] });
  const prefixIds = new Map(Object.entries(o.prefix_ids ?? {}).map(([cidr, id]) => [cidr.toLowerCase(), id]));
  return { api: cloudflareClient(base, token, deps), account: o.account_id, ruleset: o.ruleset_id ?? null, prefixIds };
}

export const createCloudflareAdapter: AdapterFactory = (config, deps) => {
  let s: Settings | null = null;
  const queue = serialQueue();

  const settings = (): Settings => {
    if (!s) throw new AdapterError('cloudflare: the adapter is not started', false);
    return s;
  };

  async function listPrefixes(st: Settings): Promise<CfPrefix[]> {
    const env = await st.api.call('GET', `/accounts/${st.account}/addressing/prefixes`, 'list IP prefixes');
    return Array.isArray(env.result) ? (env.result as CfPrefix[]) : [];
  }

  async function prefixId(st: Settings, cidr: string): Promise<string | null> {
    const known = st.prefixIds.get(cidr);
    if (known) return known;
    const found = (await listPrefixes(st)).find((p) => typeof p.cidr === 'string' && p.cidr.toLowerCase() === cidr);
    return found?.id ?? null;
  }

  async function setAdvertised(st: Settings, cidr: string, advertised: boolean): Promise<void> {
    const id = await prefixId(st, cidr);
    if (!id) {
      if (!advertised) return; // never onboarded, so not advertised: nothing to withdraw
      throw new AdapterError(`cloudflare: the account has no IP prefix ${cidr} to advertise (onboard it with BYOIP, or map it in options.prefix_ids)`, false);
    }
    await st.api.call('PATCH', `/accounts/${st.account}/addressing/prefixes/${id}/bgp/status`, `${advertised ? 'advertise' : 'withdraw'} ${cidr}`, { advertised });
  }

  const rulesetId = (st: Settings): string => {
    if (!st.ruleset) throw AdapterError.about('options.ruleset_id', "required to blackhole (the account's Magic Firewall magic_transit root ruleset id)");
    return st.ruleset;
  };

  async function ourRules(st: Settings): Promise<CfRule[]> {
    const env = await st.api.call('GET', `/accounts/${st.account}/rulesets/${rulesetId(st)}`, 'read the Magic Firewall ruleset');
    const rules = (env.result as { rules?: CfRule[] } | undefined)?.rules;
    return Array.isArray(rules) ? rules.filter((r) => typeof r.description === 'string' && r.description.startsWith(RULE_TAG)) : [];
  }

  async function block(st: Settings, rule: AnnouncedRule, prefix: string): Promise<void> {
    const expression = blockExpression(prefix);
    const existing = (await ourRules(st)).filter((r) => r.expression === expression);
    if (existing.some((r) => r.action === 'block' && r.enabled !== false)) return;
    await st.api.call('POST', `/accounts/${st.account}/rulesets/${rulesetId(st)}/rules`, `add a block rule for ${prefix}`, {
      action: 'block',
      expression,
      description: `${RULE_TAG}${rule.id}`,
      enabled: true,
      // An empty "before" puts the rule first, ahead of any allow rule that would shadow it.
      position: { before: '' },
    });
  }

  async function unblock(st: Settings, prefix: string): Promise<void> {
    const expression = blockExpression(prefix);
    for (const r of (await ourRules(st)).filter((x) => x.expression === expression)) {
      try {
        await st.api.call('DELETE', `/accounts/${st.account}/rulesets/${rulesetId(st)}/rules/${r.id}`, `delete the block rule for ${prefix}`);
      } catch (err) {
        // Deleted meanwhile (by an operator, or a retry of ours): the goal is reached.
        if (!(err instanceof AdapterError && / HTTP 404/.test(err.message))) throw err;
      }
    }
  }

  function checkKind(spec: RuleSpec): string {
    if (spec.kind === 'flowspec') throw new AdapterError('cloudflare: flowspec rules are not supported (capabilities: blackhole, scrubbing)', false);
    requirePrefix(spec.prefix);
    return spec.prefix.toLowerCase();
  }

  return {
    type: 'cloudflare',
    capabilities: CAPABILITIES,
    async start() { s = parseSettings(config, deps); },
    announce: (rule) => queue(async () => {
      const st = settings();
      const prefix = checkKind(rule.spec);
      if (rule.spec.kind === 'scrubbing') await setAdvertised(st, prefix, true);
      else await block(st, rule, prefix);
    }),
    withdraw: (rule) => queue(async () => {
      const st = settings();
      const prefix = checkKind(rule.spec);
      if (rule.spec.kind === 'scrubbing') await setAdvertised(st, prefix, false);
      else await unblock(st, prefix);
    }),
    present: () => queue(async () => {
      const st = settings();
      const keys = new Set<string>();
      for (const p of await listPrefixes(st)) {
        if (p.advertised === true && p.on_demand_enabled !== false && typeof p.cidr === 'string') keys.add(ruleKey({ kind: 'scrubbing', prefix: p.cidr }));
      }
      if (st.ruleset) {
        for (const r of await ourRules(st)) {
          const prefix = r.action === 'block' && r.enabled !== false && r.expression ? prefixOfExpression(r.expression) : null;
          if (prefix) keys.add(ruleKey({ kind: 'blackhole', prefix, next_hop: null, communities: [] }));
        }
      }
      return keys;
    }),
    async test(): Promise<ConnectivityResult> {
      const started = deps.now();
      try {
        const st = s ?? parseSettings(config, deps);
        const env = await st.api.call('GET', '/user/tokens/verify', 'verify the API token');
        const status = (env.result as { status?: string } | undefined)?.status;
        const latency = Math.max(0, deps.now() - started);
        if (status !== 'active') return { ok: false, latency_ms: latency, message: `cloudflare: the API token is ${status ?? 'not active'}` };
        return { ok: true, latency_ms: latency, message: 'cloudflare: API token is active' };
      } catch (err) {
        return { ok: false, latency_ms: Math.max(0, deps.now() - started), message: err instanceof Error ? err.message : String(err) };
      }
    },
    async stop() { s = null; },
  };
};
