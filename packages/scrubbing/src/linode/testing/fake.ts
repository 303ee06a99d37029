// A local Linode API v4 (Cloud Firewalls) that checks each request as Linode documents it — method,
// path, Bearer token, JSON content type, the whole rule set a PUT replaces (actions, protocols, ports
// only where allowed, addresses by family, labels, descriptions, at most 25 rules, both policies) —
// and answers with Linode's bodies: the firewall, its rules, {errors: [{reason, field?}]}.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { FailureMode } from '@breakwater/outbound/testing';
import { echoOf, jsonReply, manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';
import { MAX_RULES, type LinodeRule, type LinodeRules } from '../api.ts';

export interface LinodeFake extends ProviderFake {
  token: string;
  firewallId: number;
  rules: LinodeRules;
  firewall: { label: string; status: 'enabled' | 'disabled' };
}

const errors = (status: number, reason: string, field?: string, extra: Record<string, string> = {}, req?: FakeRequest): FakeReply =>
  jsonReply(status, { errors: [{ reason, ...(field ? { field } : {}) }], ...(req ? { echo: echoOf(req) } : {}) }, extra);

const PORTS = /^\d{1,5}(-\d{1,5})?(, ?\d{1,5}(-\d{1,5})?)*$/;
const LABEL = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,30}[a-zA-Z0-9]$/;
const cidrOf = (family: 4 | 6) => (a: unknown): boolean => {
  if (typeof a !== 'string') return false;
  const [ip, len, more] = a.split('/');
  return more === undefined && !!ip && isIP(ip) === family && (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= (family === 4 ? 32 : 128)));
};

function ruleProblems(r: unknown, where: string): string[] {
  const p: string[] = [];
  const o = r as Partial<LinodeRule> | null;
  if (!o || typeof o !== 'object') return [`${where}: not an object`];
  if (o.action !== 'ACCEPT' && o.action !== 'DROP') p.push(`${where}.action: ${JSON.stringify(o.action)} is not ACCEPT or DROP`);
  if (!['TCP', 'UDP', 'ICMP', 'IPENCAP'].includes(String(o.protocol))) p.push(`${where}.protocol: ${JSON.stringify(o.protocol)}`);
  if (o.ports !== undefined && (o.protocol === 'ICMP' || o.protocol === 'IPENCAP')) p.push(`${where}.ports: not allowed for ${o.protocol}`);
  if (o.ports !== undefined && (typeof o.ports !== 'string' || !PORTS.test(o.ports))) p.push(`${where}.ports: ${JSON.stringify(o.ports)}`);
  const a = o.addresses;
  if (!a || typeof a !== 'object' || (a.ipv4 === undefined && a.ipv6 === undefined)) p.push(`${where}.addresses: needs ipv4 and/or ipv6`);
  else {
    if (a.ipv4 !== undefined && (!Array.isArray(a.ipv4) || !a.ipv4.every(cidrOf(4)))) p.push(`${where}.addresses.ipv4: not IPv4 addresses/CIDRs`);
    if (a.ipv6 !== undefined && (!Array.isArray(a.ipv6) || !a.ipv6.every(cidrOf(6)))) p.push(`${where}.addresses.ipv6: not IPv6 addresses/CIDRs`);
  }
  if (o.label !== undefined && (typeof o.label !== 'string' || !LABEL.test(o.label))) p.push(`${where}.label: ${JSON.stringify(o.label)} is not 3-32 of [a-zA-Z0-9_.-]`);
  if (o.description !== undefined && (typeof o.description !== 'string' || o.description.length > 100)) p.push(`${where}.description: longer than 100`);
  for (const k of Object.keys(o)) if (!['action', 'protocol', 'ports', 'addresses', 'label', 'description'].includes(k)) p.push(`${where}.${k}: unknown`);
  return p;
}

/** Linode's rate-limit reply: 429 with its errors envelope and Retry-After. */
export const linodeRateLimited = (retryAfterS: number): FakeReply => errors(429, 'Too Many Requests', undefined, { 'retry-after': String(retryAfterS) });

export async function startLinodeFake(opts: { inbound?: LinodeRule[]; clock?: ManualClock } = {}): Promise<LinodeFake> {
  const token = randomBytes(32).toString('hex');
  const firewallId = 10000 + Math.floor(Math.random() * 1000);
  const rules: LinodeRules = { inbound: structuredClone(opts.inbound ?? []), inbound_policy: 'DROP', outbound: [], outbound_policy: 'ACCEPT' };
  const firewall = { label: 'web-fw', status: 'enabled' as 'enabled' | 'disabled' };
  let version = 1;
  const rulesBody = () => ({ ...structuredClone(rules), fingerprint: `fp${version}`, version });

  const handle = (req: FakeRequest, problems: string[]): FakeReply => {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer \S+$/.test(auth)) { problems.push(`${req.method} ${req.path}: Authorization is not "Bearer <token>"`); return errors(401, 'Invalid Token'); }
    if (auth !== `Bearer ${token}`) return errors(401, 'Invalid Token');
    const m = /^\/v4\/networking\/firewalls\/(\d+)(\/rules)?$/.exec(req.path);
    if (!m) { problems.push(`${req.method} ${req.path}: no such Linode endpoint`); return errors(404, 'Not found'); }
    if (Number(m[1]) !== firewallId) return errors(404, 'Not found');
    if (!m[2]) {
      if (req.method !== 'GET') { problems.push(`${req.method} ${req.path}: only GET is used here`); return errors(405, 'Method not allowed'); }
      return jsonReply(200, { id: firewallId, label: firewall.label, status: firewall.status, created: '2026-01-01T00:00:00', updated: '2026-01-01T00:00:00', tags: [], rules: rulesBody(), entities: [{ id: 123, type: 'linode', label: 'web1' }] });
    }
    if (req.method === 'GET') return jsonReply(200, rulesBody());
    if (req.method !== 'PUT') { problems.push(`${req.method} ${req.path}: rules take GET or PUT`); return errors(405, 'Method not allowed'); }
    const found: string[] = [];
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) found.push(`PUT ${req.path}: content-type ${JSON.stringify(req.headers['content-type'])}`);
    const b = req.json as Partial<LinodeRules> | null;
    if (!b || typeof b !== 'object') found.push('PUT rules: body is not a JSON object');
    else {
      // The PUT replaces everything: a caller that leaves a part out erases it.
      for (const k of ['inbound', 'outbound'] as const) if (!Array.isArray(b[k])) found.push(`PUT rules: ${k} missing (it would be erased)`);
      for (const k of ['inbound_policy', 'outbound_policy'] as const) if (b[k] !== 'ACCEPT' && b[k] !== 'DROP') found.push(`PUT rules: ${k} must be ACCEPT or DROP`);
      (b.inbound ?? []).forEach((r, i) => found.push(...ruleProblems(r, `inbound[${i}]`)));
      (b.outbound ?? []).forEach((r, i) => found.push(...ruleProblems(r, `outbound[${i}]`)));
      for (const k of Object.keys(b)) if (!['inbound', 'outbound', 'inbound_policy', 'outbound_policy'].includes(k)) found.push(`PUT rules: ${k} unknown`);
    }
    if (found.length) { problems.push(...found); return errors(400, found[0]!); }
    if ((b!.inbound!.length + b!.outbound!.length) > MAX_RULES) return errors(400, `Firewall rules must not exceed ${MAX_RULES}`, 'rules');
    rules.inbound = structuredClone(b!.inbound!);
    rules.outbound = structuredClone(b!.outbound!);
    rules.inbound_policy = b!.inbound_policy!;
    rules.outbound_policy = b!.outbound_policy!;
    version += 1;
    return jsonReply(200, rulesBody());
  };

  const failure = (mode: FailureMode, req: FakeRequest): FakeReply => {
    switch (mode) {
      case 'rate_limited': return errors(429, 'Too Many Requests', undefined, { 'retry-after': '7' }, req);
      case 'server_error': return errors(500, 'Please try again', undefined, {}, req);
      case 'unauthorized': return errors(401, 'Invalid Token', undefined, {}, req);
      case 'bad_request': return errors(400, 'Request could not be processed', undefined, {}, req);
    }
  };

  const fake = await startProviderFake({ handle, failure }, opts.clock ?? manualClock());
  return Object.assign(fake, { token, firewallId, rules, firewall });
}
