// A local Cloudflare API v4 for the endpoints the cloudflare adapter uses, answering as
// developers.cloudflare.com/api documents them: Bearer auth (400 code 6003 without a well-formed
// Authorization header, 403 code 10000 for a token it does not know), the {success, errors,
// messages, result} envelope, 404 code 7003 for paths it cannot route. State: the account's BYOIP
// prefixes (advertised or not) and its Magic Firewall root ruleset.
import { randomBytes } from 'node:crypto';
import { expectEq, expectJsonBody, jsonReply, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from '@breakwater/outbound/testing';

export interface FakeCfPrefix { id: string; cidr: string; advertised: boolean; on_demand_enabled: boolean; advertised_modified_at: string | null }
export interface FakeCfRule { id: string; version: string; action: string; expression: string; description: string; enabled: boolean; last_updated: string; ref: string }

export interface CloudflareFake extends HttpFake {
  token: string;
  accountId: string;
  rulesetId: string;
  prefixes: Map<string, FakeCfPrefix>;
  rules: FakeCfRule[];
  /** What Cloudflare would be doing now, as the adapter's rule keys. */
  observe(): Set<string>;
}

const hex32 = () => randomBytes(16).toString('hex');
const ok = (result: unknown, extra: Record<string, unknown> = {}) => jsonReply(200, { success: true, errors: [], messages: [], result, ...extra });
const fail = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  jsonReply(status, { success: false, errors: [{ code, message }], messages: [], result: null }, headers);

export async function startCloudflareFake(init: { prefixes?: { cidr: string; advertised?: boolean; on_demand_enabled?: boolean }[] } = {}): Promise<CloudflareFake> {
  const token = `cf-${randomBytes(20).toString('base64url')}`;
  const accountId = hex32();
  const rulesetId = hex32();
  const prefixes = new Map<string, FakeCfPrefix>();
  for (const p of init.prefixes ?? []) {
    const id = hex32();
    prefixes.set(id, { id, cidr: p.cidr, advertised: p.advertised ?? false, on_demand_enabled: p.on_demand_enabled ?? true, advertised_modified_at: null });
  }
  const rules: FakeCfRule[] = [];
  let version = 1;
  const ruleset = () => ({ id: rulesetId, name: 'root', kind: 'root', phase: 'magic_transit', version: String(version), last_updated: new Date().toISOString(), rules });

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer \S+$/.test(auth)) { problems.push(`${req.method} ${req.path}: Authorization ${auth ? 'malformed' : 'missing'}`); return fail(400, 6003, 'Invalid request headers'); }
    if (auth !== `Bearer ${token}`) { problems.push(`${req.method} ${req.path}: unknown token`); return fail(403, 10000, 'Authentication error'); }
    const p = req.path;
    if (req.method === 'GET' && p === '/user/tokens/verify') return ok({ id: hex32(), status: 'active' }, { messages: [{ code: 10000, message: 'This API Token is valid and active' }] });
    const acct = `/accounts/${accountId}`;
    if (req.method === 'GET' && p === `${acct}/addressing/prefixes`) return ok([...prefixes.values()].map((x) => ({ ...x, account_id: accountId, approved: 'V', asn: 209242 })));
    let m = new RegExp(`^${acct}/addressing/prefixes/([0-9a-f]{32})/bgp/status$`).exec(p);
    if (m && req.method === 'PATCH') {
      const pre = prefixes.get(m[1]!);
      if (!pre) return fail(404, 1000, 'Prefix not found');
      if (!expectJsonBody(problems, req)) return fail(400, 1001, 'Invalid request body');
      const keys = Object.keys(req.json);
      if (keys.length !== 1 || typeof req.json.advertised !== 'boolean') { problems.push(`PATCH bgp/status body ${req.body}: want exactly {"advertised": boolean}`); return fail(400, 1001, 'Invalid request body'); }
      if (!pre.on_demand_enabled) return fail(400, 1002, 'Prefix is not configured for on demand advertisement');
      pre.advertised = req.json.advertised;
      pre.advertised_modified_at = new Date().toISOString();
      return ok({ advertised: pre.advertised, advertised_modified_at: pre.advertised_modified_at });
    }
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
      const known = new Set(['action', 'expression', 'description', 'enabled', 'position', 'ref', 'action_parameters']);
      for (const k of Object.keys(b)) if (!known.has(k)) problems.push(`rule field ${k} is not in the Rulesets API`);
      if (problems.length > before) return fail(400, 20021, 'request body is invalid');
      const rule: FakeCfRule = { id: hex32(), version: '1', action: b.action, expression: b.expression, description: b.description ?? '', enabled: b.enabled ?? true, last_updated: new Date().toISOString(), ref: '' };
      rule.ref = rule.id;
      if (b.position?.before === '' || b.position?.index === 1) rules.unshift(rule); else rules.push(rule);
      version += 1;
      return ok(ruleset());
    }
    m = new RegExp(`^${acct}/rulesets/${rulesetId}/rules/([0-9a-f]{32})$`).exec(p);
    if (m && req.method === 'DELETE') {
      const i = rules.findIndex((r) => r.id === m[1]);
      if (i < 0) return fail(404, 20005, 'could not find rule');
      rules.splice(i, 1);
      version += 1;
      return ok(ruleset());
    }
    problems.push(`no such endpoint: ${req.method} ${p}`);
    return fail(404, 7003, `Could not route to ${p}, perhaps your object identifier is invalid?`);
  }

  const fake = await startHttpFake({
    handle,
    failure(mode) {
      if (mode === 'rate_limited') return fail(429, 971, 'Please wait and consider throttling your request speed', { 'retry-after': '3' });
      if (mode === 'unauthorized') return fail(401, 1000, 'Invalid API Token');
      return fail(500, 10001, 'Internal Server Error');
    },
  });
  // Object.assign copies data properties only, so the base's url/mode accessors stay live.
  return Object.assign(fake, {
    token, accountId, rulesetId, prefixes, rules,
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
