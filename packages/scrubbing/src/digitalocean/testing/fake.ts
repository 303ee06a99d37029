// A local DigitalOcean API v2 (Cloud Firewalls) that checks each request as DigitalOcean documents
// it — method, path, Bearer token, JSON content type, the rule shapes (protocol, ports, sources) —
// and answers with DigitalOcean's bodies: 204 for rule changes, {firewall} for reads, {id, message}
// errors, 429 with Retry-After and the ratelimit-* headers. A change leaves the firewall "waiting"
// (as while Droplets are being updated) for `settleReads` reads.
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { FailureMode } from '@breakwater/outbound/testing';
import { echoOf, jsonReply, manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';
import type { DoFirewall, DoInboundRule } from '../api.ts';

export interface DigitaloceanFake extends ProviderFake {
  token: string;
  firewallId: string;
  firewall: DoFirewall;
  /** Reads that still see "waiting" after a change. */
  settleReads: number;
}

const RATE = { 'ratelimit-limit': '5000', 'ratelimit-remaining': '4999', 'ratelimit-reset': '1700000000' };
const err = (status: number, id: string, message: string, extra: Record<string, string> = {}, req?: FakeRequest): FakeReply =>
  jsonReply(status, { id, message, request_id: randomUUID(), ...(req ? { echo: echoOf(req) } : {}) }, { ...RATE, ...extra });

const PORTS = /^(0|all|[1-9][0-9]{0,4}(-[1-9][0-9]{0,4})?)$/;
const validAddress = (a: unknown): boolean => {
  if (typeof a !== 'string') return false;
  const [ip, len, more] = a.split('/');
  if (more !== undefined || !ip || !isIP(ip)) return false;
  return len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= (isIP(ip) === 4 ? 32 : 128));
};

/** Problems with one inbound rule, as the API reference describes the object. */
function ruleProblems(r: unknown, where: string): string[] {
  const p: string[] = [];
  const o = r as Partial<DoInboundRule> | null;
  if (!o || typeof o !== 'object') return [`${where}: not an object`];
  if (!['tcp', 'udp', 'icmp'].includes(String(o.protocol))) p.push(`${where}.protocol: ${JSON.stringify(o.protocol)} is not tcp, udp or icmp`);
  if (o.protocol !== 'icmp' && (typeof o.ports !== 'string' || !PORTS.test(o.ports))) p.push(`${where}.ports: ${JSON.stringify(o.ports)} is not a port, a range or "0"`);
  const s = o.sources;
  if (!s || typeof s !== 'object') p.push(`${where}.sources: missing`);
  else {
    const keys = Object.keys(s);
    const known = ['addresses', 'droplet_ids', 'load_balancer_uids', 'kubernetes_ids', 'tags'];
    if (keys.length === 0) p.push(`${where}.sources: empty`);
    for (const k of keys) if (!known.includes(k)) p.push(`${where}.sources.${k}: unknown`);
    if (s.addresses !== undefined && (!Array.isArray(s.addresses) || s.addresses.length === 0 || !s.addresses.every(validAddress))) p.push(`${where}.sources.addresses: not a list of addresses/CIDRs`);
  }
  for (const k of Object.keys(o)) if (!['protocol', 'ports', 'sources', 'action'].includes(k)) p.push(`${where}.${k}: unknown`);
  return p;
}

const key = (r: DoInboundRule) => JSON.stringify([r.protocol, r.protocol === 'icmp' || r.ports === 'all' ? '0' : r.ports, [...(r.sources.addresses ?? [])].sort()]);

/** DigitalOcean's documented burst-limit reply: 429, Retry-After in seconds. */
export const doRateLimited = (retryAfterS: number): FakeReply => err(429, 'too_many_requests', 'API Rate limit exceeded.', { 'retry-after': String(retryAfterS), 'ratelimit-remaining': '0' });

export async function startDigitaloceanFake(opts: { inbound?: DoInboundRule[]; clock?: ManualClock } = {}): Promise<DigitaloceanFake> {
  const token = `dop_v1_${randomBytes(32).toString('hex')}`;
  const firewallId = randomUUID();
  const firewall: DoFirewall = {
    id: firewallId, name: 'web', status: 'succeeded', inbound_rules: structuredClone(opts.inbound ?? []), pending_changes: [], created_at: '2026-01-01T00:00:00Z',
  };
  const state = { settleReads: 1, waitingReads: 0 };

  const changed = () => {
    firewall.status = 'waiting';
    firewall.pending_changes = [{ droplet_id: 8043964, removing: false, status: 'waiting' }];
    state.waitingReads = state.settleReads;
  };

  const handle = (req: FakeRequest, problems: string[]): FakeReply => {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer \S+$/.test(auth)) { problems.push(`${req.method} ${req.path}: Authorization ${JSON.stringify(auth.slice(0, 12))} is not "Bearer <token>"`); return err(401, 'unauthorized', 'Unable to authenticate you'); }
    if (auth !== `Bearer ${token}`) return err(401, 'unauthorized', 'Unable to authenticate you');
    const m = /^\/v2\/firewalls\/([^/]+)(\/rules)?$/.exec(req.path);
    if (!m) { problems.push(`${req.method} ${req.path}: no such DigitalOcean endpoint`); return err(404, 'not_found', 'The resource you were accessing could not be found.'); }
    if (m[1] !== firewallId) return err(404, 'not_found', 'The resource you were accessing could not be found.');
    if (!m[2]) {
      if (req.method !== 'GET') { problems.push(`${req.method} ${req.path}: only GET is used here`); return err(405, 'method_not_allowed', 'Method not allowed'); }
      const reply = jsonReply(200, { firewall: { ...firewall, outbound_rules: [], droplet_ids: [8043964], tags: [] } }, RATE);
      if (state.waitingReads > 0 && --state.waitingReads === 0) { firewall.status = 'succeeded'; firewall.pending_changes = []; }
      return reply;
    }
    if (req.method !== 'POST' && req.method !== 'DELETE') { problems.push(`${req.method} ${req.path}: rules take POST or DELETE`); return err(405, 'method_not_allowed', 'Method not allowed'); }
    const found: string[] = [];
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) found.push(`${req.method} ${req.path}: content-type ${JSON.stringify(req.headers['content-type'])}, want application/json`);
    const body = req.json as { inbound_rules?: unknown; outbound_rules?: unknown } | null;
    if (!body || typeof body !== 'object' || (body.inbound_rules === undefined && body.outbound_rules === undefined)) found.push(`${req.method} ${req.path}: body must hold inbound_rules and/or outbound_rules`);
    const rules = Array.isArray(body?.inbound_rules) ? (body.inbound_rules as DoInboundRule[]) : [];
    rules.forEach((r, i) => found.push(...ruleProblems(r, `inbound_rules[${i}]`)));
    if (found.length) { problems.push(...found); return err(400, 'bad_request', found[0]!); }
    for (const r of rules) {
      const at = firewall.inbound_rules.findIndex((x) => key(x) === key(r));
      if (req.method === 'POST') {
        if (at >= 0) problems.push(`POST rules: ${key(r)} is already on the firewall (a caller should read before it adds)`);
        else firewall.inbound_rules.push(structuredClone(r));
      } else if (at < 0) problems.push(`DELETE rules: ${key(r)} is not on the firewall`);
      else firewall.inbound_rules.splice(at, 1);
    }
    changed();
    return { status: 204, headers: RATE };
  };

  const failure = (mode: FailureMode, req: FakeRequest): FakeReply => {
    switch (mode) {
      case 'rate_limited': return err(429, 'too_many_requests', 'API Rate limit exceeded.', { 'retry-after': '7', 'ratelimit-remaining': '0' }, req);
      case 'server_error': return err(500, 'server_error', 'Unexpected server-side error', {}, req);
      case 'unauthorized': return err(401, 'unauthorized', 'Unable to authenticate you', {}, req);
      case 'bad_request': return err(400, 'bad_request', 'The request could not be processed', {}, req);
    }
  };

  const fake = await startProviderFake({ handle, failure }, opts.clock ?? manualClock());
  const out = Object.assign(fake, { token, firewallId, firewall }) as DigitaloceanFake;
  Object.defineProperty(out, 'settleReads', { get: () => state.settleReads, set: (n: number) => { state.settleReads = n; }, enumerable: true });
  return out;
}
