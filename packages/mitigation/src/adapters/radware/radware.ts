// Radware DefensePro managed by APSolute Vision / Cyber Controller, through the Vision REST API.
// Radware publishes no open reference for it; this follows the calls Radware's own public tools
// make (github.com/Radware: DefensePro config builders and scripts):
//   POST /mgmt/system/user/login {username, password} → {"status":"ok","jsessionid":…}; the session
//        rides in the JSESSIONID cookie
//   POST /mgmt/system/config/tree/device/byip/{dp}/lock | /unlock   around every change
//   GET  /mgmt/device/byip/{dp}/config/rsNewBlockListTable          → {"rsNewBlockListTable": [entries]}
//   POST /mgmt/device/byip/{dp}/config/rsNewBlockListTable/{name}   create an entry
//   DELETE the same path                                            remove it
//   POST /mgmt/device/byip/{dp}/config/updatepolicies               apply (options.update_policies)
//   GET  /mgmt/system/config/itemlist/alldevices                    test(): is the DefensePro managed?
// A blackhole is one Block List entry: source any, destination the prefix, action drop. Older
// DefensePro versions call the table rsNewBlackListTable (options.table = "black").
// Our entries are named bw_<12 hex of the prefix's hash>, so the name is the same for the same
// prefix after a restart and announce stays idempotent.
import { createHash } from 'node:crypto';
import type { Capability } from '@breakwater/contracts';
import { AdapterError, type AdapterFactory, type AnnouncedRule, type ConnectivityResult } from '../../adapter.ts';
import { ruleKey } from '../../rule-key.ts';
import { httpCall, type HttpReply, type HttpRequest, joinUrl, replyError, replyMessage, serialQueue } from '../http/http-call.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { endpointUrl, requireToken, toPrefix } from '../http/options.ts';
import { isHost, requirePrefix } from '../rule-prefix.ts';

const CAPABILITIES: readonly Capability[] = ['blackhole'];
export const NAME_PREFIX = 'bw_';

interface Settings {
  base: string;
  username: string;
  password: string;
  device: string;
  table: string;
  field: string;
  updatePolicies: boolean;
}

export const RadwareOptions = Type.Object({
  username: Type.String({ minLength: 1, allowed: 'a Vision user allowed to configure the DefensePro' }),
  device_ip: Type.String({ pattern: '^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)$', allowed: 'an IPv4 or IPv6 address: the DefensePro management IP as Vision knows it' }),
  table: Type.Union([Type.Literal('block'), Type.Literal('black')], { default: 'block' }),
  update_policies: Type.Boolean({ default: true }),
}, { additionalProperties: false });

function parseSettings(config: Parameters<AdapterFactory>[0]): Settings {
  const base = endpointUrl(config.endpoint, 'the APSolute Vision / Cyber Controller URL, e.g. https://vision.example');
  const password = requireToken(config.authToken, 'the password of options.username');
  const o = adapterOptions(RadwareOptions, config.options, { blankIsAbsent: ['username', 'device_ip'] });
  const field = o.table === 'block' ? 'rsNewBlockList' : 'rsNewBlackList';
  return { base, username: o.username, password, device: o.device_ip, table: `${field}Table`, field, updatePolicies: o.update_policies };
}

export const entryName = (prefix: string) => `${NAME_PREFIX}${createHash('sha256').update(prefix).digest('hex').slice(0, 12)}`;


export const createRadwareAdapter: AdapterFactory = (config, deps) => {
  let s: Settings | null = null;
  let session: string | null = null;
  const queue = serialQueue();
  const secrets = () => [config.authToken ?? '', ...(session ? [session] : [])].filter(Boolean);

  async function login(st: Settings): Promise<string> {
    const r = await httpCall(deps, {
      method: 'POST', url: joinUrl(st.base, '/mgmt/system/user/login'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: st.username, password: st.password }),
    }, 'radware: login', secrets());
    const j = r.json as { status?: string; jsessionid?: unknown } | null;
    if (r.status !== 200 || j?.status !== 'ok' || typeof j.jsessionid !== 'string') throw replyError('radware: login', r.status === 200 ? 401 : r.status, replyMessage(r), secrets());
    return j.jsessionid;
  }

  /** One call in the session; a refused session is renewed once (Vision sessions time out). */
  async function call(st: Settings, method: HttpRequest['method'], path: string, what: string, body?: unknown): Promise<HttpReply> {
    for (let attempt = 0; ; attempt++) {
      session ??= await login(st);
      const headers: Record<string, string> = { accept: 'application/json', cookie: `JSESSIONID=${session}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await httpCall(deps, { method, url: joinUrl(st.base, path), headers, body: body === undefined ? undefined : JSON.stringify(body) }, `radware: ${what}`, secrets());
      if ((r.status === 401 || r.status === 403) && attempt === 0) { session = null; continue; }
      const err = r.status < 200 || r.status >= 300 || (r.json as { status?: string } | null)?.status === 'error';
      if (err) throw replyError(`radware: ${what}`, r.status >= 200 && r.status < 300 ? 400 : r.status, replyMessage(r), secrets());
      return r;
    }
  }

  const dp = (st: Settings) => `/mgmt/device/byip/${st.device}`;

  async function ours(st: Settings): Promise<Record<string, string>[]> {
    const r = await call(st, 'GET', `${dp(st)}/config/${st.table}`, `read the ${st.table}`);
    const rows = (r.json as Record<string, unknown> | null)?.[st.table];
    return Array.isArray(rows) ? (rows as Record<string, string>[]).filter((e) => String(e[`${st.field}Name`] ?? '').startsWith(NAME_PREFIX)) : [];
  }

  /** Vision refuses changes to a device not locked by this session; unlock even when the change fails. */
  async function locked(st: Settings, what: string, change: () => Promise<void>): Promise<void> {
    const tree = `/mgmt/system/config/tree/device/byip/${st.device}`;
    await call(st, 'POST', `${tree}/lock`, `lock ${st.device} to ${what}`);
    try {
      await change();
      if (st.updatePolicies) await call(st, 'POST', `${dp(st)}/config/updatepolicies`, `update policies on ${st.device}`);
    } finally {
      await call(st, 'POST', `${tree}/unlock`, `unlock ${st.device}`).catch(() => undefined);
    }
  }

  const settings = (): Settings => {
    if (!s) throw new AdapterError('radware: the adapter is not started', false);
    return s;
  };

  function prefixOf(rule: AnnouncedRule): string {
    if (rule.spec.kind !== 'blackhole') throw new AdapterError(`radware: ${rule.spec.kind} rules are not supported (capabilities: blackhole)`, false);
    requirePrefix(rule.spec.prefix);
    return rule.spec.prefix.toLowerCase();
  }

  return {
    type: 'radware',
    capabilities: CAPABILITIES,
    async start() { s = parseSettings(config); session = null; },
    announce: (rule) => queue(async () => {
      const st = settings();
      const prefix = prefixOf(rule);
      const name = entryName(prefix);
      if ((await ours(st)).some((e) => e[`${st.field}Name`] === name)) return;
      const p = requirePrefix(prefix);
      const f = st.field;
      await locked(st, `block ${prefix}`, async () => {
        await call(st, 'POST', `${dp(st)}/config/${st.table}/${name}`, `add block list entry for ${prefix}`, {
          [`${f}Name`]: name,
          [`${f}SrcNetwork`]: 'any',
          // A host is written as the bare address, as DefensePro shows it; a network in CIDR.
          [`${f}DstNetwork`]: isHost(p) ? p.addr : prefix,
          [`${f}Description`]: `breakwater ${rule.id}`.slice(0, 64),
          [`${f}State`]: '1',
          [`${f}Action`]: '1',
        });
      });
    }),
    withdraw: (rule) => queue(async () => {
      const st = settings();
      const prefix = prefixOf(rule);
      const name = entryName(prefix);
      if (!(await ours(st)).some((e) => e[`${st.field}Name`] === name)) return;
      await locked(st, `unblock ${prefix}`, async () => {
        await call(st, 'DELETE', `${dp(st)}/config/${st.table}/${name}`, `delete block list entry for ${prefix}`);
      });
    }),
    present: () => queue(async () => {
      const st = settings();
      const keys = new Set<string>();
      for (const e of await ours(st)) {
        const prefix = toPrefix(String(e[`${st.field}DstNetwork`] ?? ''));
        if (prefix) keys.add(ruleKey({ kind: 'blackhole', prefix, next_hop: null, communities: [] }));
      }
      return keys;
    }),
    async test(): Promise<ConnectivityResult> {
      const started = deps.now();
      const latency = () => Math.max(0, deps.now() - started);
      try {
        const st = s ?? parseSettings(config);
        const r = await call(st, 'GET', '/mgmt/system/config/itemlist/alldevices', 'list managed devices');
        const devices = Array.isArray(r.json) ? (r.json as { managementIp?: string; name?: string }[]) : [];
        const dev = devices.find((d) => d.managementIp === st.device);
        if (!dev) return { ok: false, latency_ms: latency(), message: `radware: logged in, but Vision does not manage a device at ${st.device}` };
        return { ok: true, latency_ms: latency(), message: `radware: Vision manages ${dev.name ?? st.device}` };
      } catch (err) {
        return { ok: false, latency_ms: latency(), message: err instanceof Error ? err.message : String(err) };
      }
    },
    async stop() { s = null; session = null; },
  };
};
