// One local Cloudflare API v4 for every caller of it here — the mitigation adapter (BYOIP prefix
// advertisement, Magic Firewall rules) and the two Cloudflare scrubbing types (prefix advertisement,
// zone security level) — answering as developers.cloudflare.com/api documents them: Bearer auth
// (400 code 6003 without a well-formed Authorization header, 403 code 10000 for a token it does not
// know), the {success, errors, messages, result} envelope, 404 code 7003 for what it cannot route,
// 429 code 971 with Retry-After. State: the account's BYOIP prefixes (on-demand or always-on,
// advertised or not, since when on the clock), its Magic Firewall root ruleset and one zone's
// security level.
import { randomBytes } from 'node:crypto';
import { manualClock, type ManualClock } from './clock.ts';
import { expectEq, expectJsonBody } from './expect.ts';
import { echoOf, jsonReply, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.ts';

export interface FakeCfPrefix { id: string; cidr: string; advertised: boolean; on_demand_enabled: boolean; advertised_modified_at: string | null }
export interface FakeCfRule { id: string; version: string; action: string; expression: string; description: string; enabled: boolean; last_updated: string; ref: string }

export interface CloudflareFake extends HttpFake {
  token: string;
  accountId: string;
  rulesetId: string;
  zoneId: string;
  clock: ManualClock;
  prefixes: Map<string, FakeCfPrefix>;
  rules: FakeCfRule[];
  /** The zone's security level, and when it last changed. */
  zone: { security_level: string; modified_on: string | null };
  prefixByCidr(cidr: string): FakeCfPrefix | undefined;
  /** What Cloudflare would be doing now, as the mitigation adapter's rule keys ("scrubbing|prefix", "blackhole|prefix"). */
  observe(): Set<string>;
  /** Cloudflare's documented 429. */
  rateLimited(retryAfterS: number): FakeReply;
}

export interface CloudflareFakeInit {
  prefixes?: { cidr: string; advertised?: boolean; on_demand_enabled?: boolean }[];
  securityLevel?: string;
  clock?: ManualClock;
}

const hex32 = () => randomBytes(16).toString('hex');
const ok = (result: unknown, extra: Record<string, unknown> = {}) => jsonReply(200, { success: true, errors: [], messages: [], result, ...extra });
const fail = (status: number, code: number, message: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  jsonReply(status, { success: false, errors: [{ code, message }], messages: [], result: null, ...extra }, headers);
const SECURITY_LEVELS = ['off', 'essentially_off', 'low', 'medium', 'high', 'under_attack'];
const RULE_FIELDS = new Set(['action', 'expression', 'description', 'enabled', 'position', 'ref', 'action_parameters']);

export async function startCloudflareFake(init: CloudflareFakeInit = {}): Promise<CloudflareFake> {
  const clock = init.clock ?? manualClock();
  const token = `cf-${randomBytes(20).toString('base64url')}`;
  const accountId = hex32();
  const rulesetId = hex32();
  const zoneId = hex32();
  const prefixes = new Map<string, FakeCfPrefix>();
  for (const p of init.prefixes ?? []) {
    const id = hex32();
    prefixes.set(id, { id, cidr: p.cidr, advertised: p.advertised ?? false, on_demand_enabled: p.on_demand_enabled ?? true, advertised_modified_at: null });
  }
  const rules: FakeCfRule[] = [];
  let version = 1;
  const zone = { security_level: init.securityLevel ?? 'medium', modified_on: null as string | null };
  const nowIso = () => new Date(clock.now()).toISOString();
  const ruleset = () => ({ id: rulesetId, name: 'root', kind: 'root', phase: 'magic_transit', version: String(version), last_updated: nowIso(), rules });

  function prefixCalls(req: FakeRequest, problems: string[], acct: string): FakeReply | null {
    const p = req.path;
    if (req.method === 'GET' && p === `${acct}/addressing/prefixes`) {
      return ok([...prefixes.values()].map((x) => ({ ...x, account_id: accountId, approved: 'V', asn: 209242, on_demand_locked: false })));
    }
    const m = new RegExp(`^${acct}/addressing/prefixes/([0-9a-f]{32})/bgp/status$`).exec(p);
    if (!m) return null;
    const pre = prefixes.get(m[1]!);
    if (!pre) return fail(404, 1000, 'Prefix not found');
    if (req.method === 'GET') return ok({ advertised: pre.advertised, advertised_modified_at: pre.advertised_modified_at });
    if (req.method !== 'PATCH') return null;
    if (!expectJsonBody(problems, req)) return fail(400, 1001, 'Invalid request body');
    if (Object.keys(req.json).length !== 1 || typeof req.json.advertised !== 'boolean') { problems.push(`PATCH bgp/status body ${req.body}: want exactly {"advertised": boolean}`); return fail(400, 1001, 'Invalid request body'); }
    if (!pre.on_demand_enabled) return fail(400, 1002, 'Prefix is not configured for on demand advertisement');
    if (pre.advertised !== req.json.advertised || pre.advertised_modified_at === null) {
      pre.advertised = req.json.advertised;
      pre.advertised_modified_at = nowIso();
    }
    return ok({ advertised: pre.advertised, advertised_modified_at: pre.advertised_modified_at });
  }

  function rulesetCalls(req: FakeRequest, problems: string[], acct: string): FakeReply | null {
    const p = req.path;
    if (p === `${acct}/rulesets/${rulesetId}` && req.method === 'GET') return ok(ruleset());
    if (p === `${acct}/rulesets/${rulesetId}/rules` && req.method === 'POST') {
      if (!expectJsonBody(problems, req)) return fail(400, 20021, 'request body is invalid');
      const b = req.json;
      const before = problems.length;
      if (!['block', 'allow', 'skip', 'log'].includes(b.action)) problems.push(`rule action ${JSON.stringify(b.action)}`);
      if (typeof b.expression !== 'string' || !/^ip\.dst in \{[0-9a-fA-F:.]+\/\d{1,3}\}$/.test(b.expression)) problems.push(`rule expression ${JSON.stringify(b.expression)} is not one this fake parses`);
      if (b.description !== undefined && typeof b.description !== 'string') problems.push('rule description not a string');
      if (b.enabled !== undefined) expectEq(problems, 'rule enabled type', typeof b.enabled, 'boolean');
      if (b.position !== undefined && (typeof b.position !== 'object' || (b.position.before === undefined && b.position.after === undefined && b.position.index === undefined))) problems.push(`rule position ${JSON.stringify(b.position)}`);
      for (const k of Object.keys(b)) if (!RULE_FIELDS.has(k)) problems.push(`rule field ${k} is not in the Rulesets API`);
      if (problems.length > before) return fail(400, 20021, 'request body is invalid');
      const rule: FakeCfRule = { id: hex32(), version: '1', action: b.action, expression: b.expression, description: b.description ?? '', enabled: b.enabled ?? true, last_updated: nowIso(), ref: '' };
      rule.ref = rule.id;
      if (b.position?.before === '' || b.position?.index === 1) rules.unshift(rule); else rules.push(rule);
      version += 1;
      return ok(ruleset());
    }
    const m = new RegExp(`^${acct}/rulesets/${rulesetId}/rules/([0-9a-f]{32})$`).exec(p);
    if (m && req.method === 'DELETE') {
      const i = rules.findIndex((r) => r.id === m[1]);
      if (i < 0) return fail(404, 20005, 'could not find rule');
      rules.splice(i, 1);
      version += 1;
      return ok(ruleset());
    }
    return null;
  }

  function zoneCalls(req: FakeRequest, problems: string[]): FakeReply | null {
    if (req.path !== `/zones/${zoneId}/settings/security_level`) {
      return /^\/zones\/[0-9a-f]{32}\//.test(req.path) && !req.path.startsWith(`/zones/${zoneId}/`) ? fail(404, 1001, 'Invalid zone identifier') : null;
    }
    const setting = () => ok({ id: 'security_level', value: zone.security_level, editable: true, modified_on: zone.modified_on });
    if (req.method === 'GET') return setting();
    if (req.method !== 'PATCH') return null;
    if (!expectJsonBody(problems, req)) return fail(400, 1001, 'Invalid request body');
    if (Object.keys(req.json).length !== 1 || !SECURITY_LEVELS.includes(req.json.value)) { problems.push(`PATCH security_level body ${req.body}: want exactly {"value": one of ${SECURITY_LEVELS.join('|')}}`); return fail(400, 1007, 'Invalid value for zone setting security_level'); }
    if (zone.security_level !== req.json.value) { zone.security_level = req.json.value; zone.modified_on = nowIso(); }
    return setting();
  }

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer \S+$/.test(auth)) { problems.push(`${req.method} ${req.path}: Authorization ${auth ? 'malformed' : 'missing'}`); return fail(400, 6003, 'Invalid request headers'); }
    if (auth !== `Bearer ${token}`) { problems.push(`${req.method} ${req.path}: unknown token`); return fail(403, 10000, 'Authentication error', {}, { echo: echoOf(req) }); }
    if (req.method === 'GET' && req.path === '/user/tokens/verify') return ok({ id: hex32(), status: 'active' }, { messages: [{ code: 10000, message: 'This API Token is valid and active' }] });
    const acct = `/accounts/${accountId}`;
    const reply = prefixCalls(req, problems, acct) ?? rulesetCalls(req, problems, acct) ?? zoneCalls(req, problems);
    if (reply) return reply;
    problems.push(`no such endpoint: ${req.method} ${req.path}`);
    return fail(404, 7003, `Could not route to ${req.path}, perhaps your object identifier is invalid?`);
  }

  const rateLimited = (retryAfterS: number) => fail(429, 971, 'Please wait and consider throttling your request speed', { 'retry-after': String(retryAfterS) });
  const fake = await startHttpFake({
    handle,
    failure(mode, req) {
      if (mode === 'rate_limited') return rateLimited(3);
      if (mode === 'unauthorized') return fail(401, 1000, 'Invalid API Token', {}, { echo: echoOf(req) });
      if (mode === 'bad_request') return fail(400, 1001, 'Invalid request', {}, { echo: echoOf(req) });
      return fail(500, 10001, 'Internal Server Error', {}, { echo: echoOf(req) });
    },
  });
  // Object.assign copies data properties only, so the base's url/mode accessors stay live.
  return Object.assign(fake, {
    token, accountId, rulesetId, zoneId, clock, prefixes, rules, zone, rateLimited,
    prefixByCidr: (cidr: string) => [...prefixes.values()].find((x) => x.cidr === cidr),
    observe() {
      const out = new Set<string>();
      for (const x of prefixes.values()) if (x.advertised) out.add(`scrubbing|${x.cidr.toLowerCase()}`);
      for (const r of rules) {
        const m = /^ip\.dst in \{([0-9a-fA-F:.]+\/\d{1,3})\}$/.exec(r.expression);
        if (m && r.action === 'block' && r.enabled) out.add(`blackhole|${m[1]!.toLowerCase()}`);
      }
      return out;
    },
  });
}
