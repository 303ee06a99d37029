// F5 BIG-IP (AFM) through iControl REST: blackholed prefixes are the entries of one AFM address list
// that Breakwater owns (options.address_list, default "breakwater_blackhole" in /Common). The
// operator references that list once, as the destination of a drop rule in their AFM policy; the
// adapter only keeps its entries in step.
//   GET   /mgmt/tm/security/firewall/address-list/~{partition}~{name}   read the entries (404: no list yet)
//   POST  /mgmt/tm/security/firewall/address-list                       create it with the first entry
//   PATCH /mgmt/tm/security/firewall/address-list/~{partition}~{name}   {"addresses": [...]} replaces the entries
//   GET   /mgmt/tm/sys/version                                          test()
// Auth: a token from POST /mgmt/shared/authn/login sent as X-F5-Auth-Token (renewed once on a 401),
// or HTTP basic when options.auth is "basic". auth_token is the password of options.username.
import type { Capability } from '@breakwater/contracts';
import { AdapterError, type AdapterFactory, type ConnectivityResult } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { httpCall, type HttpReply, type HttpRequest, joinUrl, replyError, replyMessage, serialQueue } from '../http/http-call.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { endpointUrl, requireToken, toPrefix } from '../http/options.ts';
import { requirePrefix } from '../rule-prefix.ts';

const CAPABILITIES: readonly Capability[] = ['blackhole'];
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

interface Settings {
  base: string;
  username: string;
  password: string;
  auth: 'token' | 'basic';
  loginProvider: string;
  listPath: string;
  partition: string;
  list: string;
}

export const F5Options = Type.Object({
  username: Type.String({ minLength: 1, allowed: 'a BIG-IP user allowed to modify AFM address lists' }),
  auth: Type.Union([Type.Literal('token'), Type.Literal('basic')], { default: 'token' }),
  login_provider: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'tmos', allowed: 'a login provider name (the loginProviderName for token auth)' }),
  partition: Type.String({ pattern: NAME.source, default: 'Common', allowed: 'a partition name (letters, digits, _ . -)' }),
  address_list: Type.String({ pattern: NAME.source, default: 'breakwater_blackhole', allowed: 'an address list name (letters, digits, _ . -): the AFM address list Breakwater owns' }),
}, { additionalProperties: false });

function parseSettings(config: Parameters<AdapterFactory>[0]): Settings {
  const base = endpointUrl(config.endpoint, 'the BIG-IP management URL, e.g. https://bigip.example:443');
  const password = requireToken(config.authToken, 'the password of options.username');
  const o = adapterOptions(F5Options, config.options, { blankIsAbsent: ['username', 'login_provider', 'partition', 'address_list'] });
  const { username, auth, login_provider: loginProvider, partition, address_list: list } = o;
  return { base, username, password, auth, loginProvider, partition, list, listPath: `/mgmt/tm/security/firewall/address-list/~${partition}~${list}` };
}


export const createF5Adapter: AdapterFactory = (config, deps) => {
  let s: Settings | null = null;
  let token: string | null = null;
  const queue = serialQueue();
  const secrets = () => [config.authToken ?? '', ...(token ? [token] : [])].filter(Boolean);

  async function login(st: Settings): Promise<string> {
    const r = await httpCall(deps, {
      method: 'POST', url: joinUrl(st.base, '/mgmt/shared/authn/login'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: st.username, password: st.password, loginProviderName: st.loginProvider }),
    }, 'f5: login', secrets());
    const t = (r.json as { token?: { token?: unknown } } | null)?.token?.token;
    if (r.status !== 200 || typeof t !== 'string') throw replyError('f5: login', r.status === 200 ? 502 : r.status, replyMessage(r), secrets());
    return t;
  }

  async function call(st: Settings, method: HttpRequest['method'], path: string, what: string, body?: unknown): Promise<HttpReply> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (st.auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${st.username}:${st.password}`).toString('base64')}`;
      else headers['x-f5-auth-token'] = token ??= await login(st);
      const r = await httpCall(deps, { method, url: joinUrl(st.base, path), headers, body: body === undefined ? undefined : JSON.stringify(body) }, `f5: ${what}`, secrets());
      // Tokens expire (20 minutes by default): log in again once before calling it a bad credential.
      if (r.status === 401 && st.auth === 'token' && attempt === 0) { token = null; continue; }
      return r;
    }
  }

  const fail = (what: string, r: HttpReply) => replyError(`f5: ${what}`, r.status, replyMessage(r), secrets());

  /** The list's entries as BIG-IP shows them, or null when the list does not exist yet. */
  async function entries(st: Settings): Promise<string[] | null> {
    const r = await call(st, 'GET', st.listPath, `read address list ${st.list}`);
    if (r.status === 404) return null;
    if (r.status !== 200) throw fail(`read address list ${st.list}`, r);
    const a = (r.json as { addresses?: { name?: unknown }[] } | null)?.addresses;
    return Array.isArray(a) ? a.map((x) => x.name).filter((n): n is string => typeof n === 'string') : [];
  }

  const settings = (): Settings => {
    if (!s) throw new AdapterError('f5: the adapter is not started', false);
    return s;
  };

  function prefixOf(rule: Parameters<ReturnType<AdapterFactory>['announce']>[0]): string {
    if (rule.spec.kind !== 'blackhole') throw new AdapterError(`f5: ${rule.spec.kind} rules are not supported (capabilities: blackhole)`, false);
    requirePrefix(rule.spec.prefix);
    return rule.spec.prefix.toLowerCase();
  }

  async function write(st: Settings, addresses: string[], exists: boolean, what: string): Promise<void> {
    const r = exists
      ? await call(st, 'PATCH', st.listPath, what, { addresses: addresses.map((name) => ({ name })) })
      : await call(st, 'POST', '/mgmt/tm/security/firewall/address-list', what, { name: st.list, partition: st.partition, addresses: addresses.map((name) => ({ name })) });
    if (r.status !== 200) throw fail(what, r);
  }

  return {
    type: 'f5',
    capabilities: CAPABILITIES,
    async start() { s = parseSettings(config); token = null; },
    announce: (rule) => queue(async () => {
      const st = settings();
      const prefix = prefixOf(rule);
      const now = await entries(st);
      if (now?.some((e) => toPrefix(e) === prefix)) return;
      await write(st, [...(now ?? []), prefix], now !== null, `add ${prefix} to address list ${st.list}`);
    }),
    withdraw: (rule) => queue(async () => {
      const st = settings();
      const prefix = prefixOf(rule);
      const now = await entries(st);
      if (!now?.some((e) => toPrefix(e) === prefix)) return;
      await write(st, now.filter((e) => toPrefix(e) !== prefix), true, `remove ${prefix} from address list ${st.list}`);
    }),
    present: () => queue(async () => {
      const keys = new Set<string>();
      for (const e of (await entries(settings())) ?? []) {
        const prefix = toPrefix(e);
        if (prefix) keys.add(ruleKey({ kind: 'blackhole', prefix, next_hop: null, communities: [] }));
      }
      return keys;
    }),
    async test(): Promise<ConnectivityResult> {
      const started = deps.now();
      const latency = () => Math.max(0, deps.now() - started);
      try {
        const st = s ?? parseSettings(config);
        const r = await call(st, 'GET', '/mgmt/tm/sys/version', 'read the version');
        if (r.status !== 200) throw fail('read the version', r);
        const entries = (r.json as { entries?: Record<string, { nestedStats?: { entries?: { Version?: { description?: string } } } }> } | null)?.entries;
        const version = entries ? Object.values(entries)[0]?.nestedStats?.entries?.Version?.description : undefined;
        return { ok: true, latency_ms: latency(), message: `f5: BIG-IP ${version ?? '(version not shown)'}` };
      } catch (err) {
        return { ok: false, latency_ms: latency(), message: err instanceof Error ? err.message : String(err) };
      }
    },
    async stop() { s = null; token = null; },
  };
};
