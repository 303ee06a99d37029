// A local Hetzner Robot webservice for the firewall calls, checking each as Robot documents it:
// Basic auth (401 UNAUTHORIZED otherwise), POST bodies as application/x-www-form-urlencoded with
// only the documented parameters (status, filter_ipv6, whitelist_hos, rules[input|output][n][field])
// and at most 10 rules per direction, errors as {"error": {status, code, message}}, the request limit
// as 403 RATE_LIMIT_EXCEEDED. A change is "in process" for `settleMs` of the shared clock, and a
// POST meanwhile is refused 409 FIREWALL_IN_PROCESS.
import { randomBytes } from 'node:crypto';
import { parsePrefix } from '@breakwater/contracts';
import { basicAuth, echoOf, jsonReply, manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';
import type { RobotRule } from '../robot-api.ts';

export interface FakeFirewall { status: string; target: string; filter_ipv6: boolean; whitelist_hos: boolean; input: RobotRule[]; output: RobotRule[]; changedAt: number }

export interface RobotFake extends ProviderFake {
  user: string;
  password: string;
  firewalls: Map<string, FakeFirewall>;
  /** The firewall as Robot would show it now (in process settled along the clock). */
  firewall(ip: string): FakeFirewall;
  rateLimited(retryAfterS: number): FakeReply;
  /** The Robot server number of a server (by its main IP). */
  numberOf(ip: string): number;
}

const FIELDS = new Set(['ip_version', 'name', 'dst_ip', 'src_ip', 'dst_port', 'src_port', 'protocol', 'tcp_flags', 'action']);
const PROTOCOLS = new Set(['tcp', 'udp', 'gre', 'icmp', 'ipip', 'ah', 'esp']);
const robotError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => jsonReply(status, { error: { status, code, message, ...extra } });

export async function startRobotFake(init: { servers: Record<string, { status?: string; input?: RobotRule[] }>; settleMs?: number; clock?: ManualClock }): Promise<RobotFake> {
  const clock = init.clock ?? manualClock();
  const settleMs = init.settleMs ?? 30_000;
  const user = `#ws+${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const firewalls = new Map<string, FakeFirewall>();
  /** Server numbers, 321 upwards in the order given. */
  const numbers = new Map(Object.keys(init.servers).map((ip, i) => [321 + i, ip]));
  const numberOf = (ip: string) => [...numbers].find(([, v]) => v === ip)![0];
  for (const [ip, f] of Object.entries(init.servers)) {
    firewalls.set(ip, { status: f.status ?? 'disabled', target: f.status ?? 'disabled', filter_ipv6: false, whitelist_hos: true, input: f.input ?? [], output: [{ ip_version: null, name: 'allow all', dst_ip: null, src_ip: null, dst_port: null, src_port: null, protocol: null, tcp_flags: null, action: 'accept' }], changedAt: 0 });
  }
  const firewall = (ip: string) => {
    const f = firewalls.get(ip)!;
    if (f.status === 'in process' && clock.now() - f.changedAt >= settleMs) f.status = f.target;
    return f;
  };
  const full = (r: RobotRule) => Object.fromEntries([...FIELDS].map((k) => [k, (r as unknown as Record<string, unknown>)[k] ?? null]));
  const view = (ip: string, f: FakeFirewall) => ({ firewall: { server_ip: ip, server_number: numberOf(ip), status: f.status, filter_ipv6: f.filter_ipv6, whitelist_hos: f.whitelist_hos, port: 'main', rules: { input: f.input.map(full), output: f.output.map(full) } } });

  function parseRules(form: URLSearchParams, dir: string, problems: string[]): RobotRule[] | null {
    const rules: Record<string, string>[] = [];
    for (const [k, v] of form) {
      const m = new RegExp(`^rules\\[${dir}\\]\\[(\\d+)\\]\\[([a-z_]+)\\]$`).exec(k);
      if (!m) continue;
      if (!FIELDS.has(m[2]!)) { problems.push(`unknown rule field ${k}`); return null; }
      (rules[Number(m[1])] ??= {})[m[2]!] = v;
    }
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (!r) { problems.push(`rules[${dir}] has a gap at ${i}`); return null; }
      if (r.action !== 'accept' && r.action !== 'discard') { problems.push(`rules[${dir}][${i}][action] ${r.action}`); return null; }
      if (r.ip_version !== undefined && r.ip_version !== 'ipv4' && r.ip_version !== 'ipv6') { problems.push(`rules[${dir}][${i}][ip_version] ${r.ip_version}`); return null; }
      if (r.protocol !== undefined && !PROTOCOLS.has(r.protocol)) { problems.push(`rules[${dir}][${i}][protocol] ${r.protocol}`); return null; }
      for (const f of ['dst_port', 'src_port'] as const) if (r[f] !== undefined && !/^\d{1,5}(-\d{1,5})?$/.test(r[f])) { problems.push(`rules[${dir}][${i}][${f}] ${r[f]}`); return null; }
      for (const f of ['dst_ip', 'src_ip'] as const) if (r[f] !== undefined && !parsePrefix(r[f])) { problems.push(`rules[${dir}][${i}][${f}] ${r[f]}`); return null; }
      if (r.tcp_flags !== undefined && r.protocol !== 'tcp') { problems.push(`rules[${dir}][${i}]: tcp_flags without protocol tcp`); return null; }
    }
    return rules as unknown as RobotRule[];
  }

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    if (req.headers.authorization !== basicAuth(user, password)) { problems.push(`${req.method} ${req.path}: Basic auth ${req.headers.authorization ? 'wrong' : 'missing'}`); return robotError(401, 'UNAUTHORIZED', 'Unauthorized'); }
    const m = /^\/firewall\/([^/]+)$/.exec(req.path);
    if (!m) { problems.push(`no such endpoint: ${req.method} ${req.path}`); return robotError(404, 'NOT_FOUND', 'Not found'); }
    // {server-id}: the server's number, or (deprecated) its main IP.
    const ip = /^\d+$/.test(m[1]!) ? numbers.get(Number(m[1])) : m[1]!;
    if (ip === undefined || !firewalls.has(ip)) return robotError(404, 'SERVER_NOT_FOUND', 'server not found');
    const f = firewall(ip);
    if (req.method === 'GET') return jsonReply(200, view(ip, f));
    if (req.method !== 'POST') { problems.push(`${req.method} /firewall: not a documented method here`); return robotError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed'); }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) { problems.push(`POST /firewall content-type ${String(req.headers['content-type'])}`); return robotError(400, 'INVALID_INPUT', 'invalid input'); }
    const form = new URLSearchParams(req.body);
    for (const k of form.keys()) if (!['status', 'filter_ipv6', 'whitelist_hos'].includes(k) && !/^rules\[(input|output)\]\[\d+\]\[[a-z_]+\]$/.test(k)) { problems.push(`POST /firewall: unknown parameter ${k}`); return robotError(400, 'INVALID_INPUT', 'invalid input', { missing: null, invalid: [k] }); }
    const status = form.get('status');
    if (status !== 'active' && status !== 'disabled') { problems.push(`POST /firewall status ${status}`); return robotError(400, 'INVALID_INPUT', 'invalid input', { missing: status ? null : ['status'], invalid: status ? ['status'] : null }); }
    for (const b of ['filter_ipv6', 'whitelist_hos']) if (form.has(b) && !['true', 'false'].includes(form.get(b)!)) { problems.push(`POST /firewall ${b}=${form.get(b)}`); return robotError(400, 'INVALID_INPUT', 'invalid input', { invalid: [b] }); }
    const input = parseRules(form, 'input', problems);
    const output = parseRules(form, 'output', problems);
    if (!input || !output) return robotError(400, 'INVALID_INPUT', 'invalid input');
    if (input.length > 10 || output.length > 10) return robotError(409, 'FIREWALL_RULE_LIMIT_EXCEEDED', 'The maximum number of rules is exceeded');
    if (f.status === 'in process') return robotError(409, 'FIREWALL_IN_PROCESS', 'The firewall cannot be updated while it is in process');
    Object.assign(f, { status: 'in process', target: status, filter_ipv6: form.get('filter_ipv6') === 'true', whitelist_hos: form.get('whitelist_hos') !== 'false', input, output, changedAt: clock.now() });
    return jsonReply(200, view(ip, f));
  }

  const rateLimited = () => robotError(403, 'RATE_LIMIT_EXCEEDED', 'rate limit exceeded', { max_request: 200, interval: 3600 });
  const fake = await startProviderFake({
    handle,
    failure(mode, req) {
      if (mode === 'rate_limited') return rateLimited();
      if (mode === 'unauthorized') return robotError(401, 'UNAUTHORIZED', 'Unauthorized', { echo: echoOf(req) });
      if (mode === 'bad_request') return robotError(400, 'INVALID_INPUT', 'invalid input', { echo: echoOf(req) });
      return robotError(503, 'MAINTENANCE', 'The webservice is not available due to maintenance', { echo: echoOf(req) });
    },
  }, clock);
  return Object.assign(fake, { user, password, firewalls, firewall, rateLimited, numberOf });
}
