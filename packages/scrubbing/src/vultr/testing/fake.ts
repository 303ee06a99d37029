// A local Vultr API v2 that checks each request as Vultr documents it — method, path, Bearer API
// key, JSON content type, the Update Instance body (known keys only, ddos_protection a boolean) —
// and answers with Vultr's bodies: {instance}, {account}, 202 on update, {"error", "status"} errors.
// Vultr documents a 429 past its rate limit but no Retry-After, so the fake sends none.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FailureMode } from '@breakwater/outbound/testing';
import { echoOf, jsonReply, manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';

export interface VultrFakeInstance { id: string; main_ip: string; v6_main_ip: string; label: string; features: string[] }
export interface VultrFake extends ProviderFake {
  apiKey: string;
  instances: Map<string, VultrFakeInstance>;
}

const error = (status: number, message: string, req?: FakeRequest): FakeReply => jsonReply(status, { error: message, status, ...(req ? { echo: echoOf(req) } : {}) });
/** Vultr's rate-limit reply (no Retry-After documented). */
export const vultrRateLimited = (): FakeReply => error(429, 'Rate limit exceeded');

/** The keys Update Instance documents. */
const UPDATE_KEYS = ['app_id', 'image_id', 'backups', 'firewall_group_id', 'enable_ipv6', 'os_id', 'user_data', 'tag', 'plan', 'ddos_protection', 'attach_vpc', 'detach_vpc', 'enable_vpc', 'attach_vpc2', 'detach_vpc2', 'enable_vpc2', 'label', 'tags', 'user_scheme'];

export async function startVultrFake(opts: { clock?: ManualClock; instances?: Omit<VultrFakeInstance, 'id'>[] } = {}): Promise<VultrFake> {
  const apiKey = randomBytes(18).toString('base64url').toUpperCase();
  const instances = new Map<string, VultrFakeInstance>();
  for (const i of opts.instances ?? [{ main_ip: '203.0.113.30', v6_main_ip: '2001:db8:30::1', label: 'web', features: ['ipv6'] }]) {
    const id = randomUUID();
    instances.set(id, { id, ...structuredClone(i) });
  }
  const view = (i: VultrFakeInstance) => ({
    id: i.id, os: 'Debian 12 x64 (bookworm)', ram: 2048, disk: 55, main_ip: i.main_ip, vcpu_count: 1, region: 'ams', plan: 'vc2-1c-2gb',
    date_created: '2026-01-01T00:00:00+00:00', status: 'active', allowed_bandwidth: 2, netmask_v4: '255.255.254.0', gateway_v4: '203.0.113.1',
    power_status: 'running', server_status: 'ok', v6_network: '2001:db8:30::', v6_main_ip: i.v6_main_ip, v6_network_size: 64, label: i.label,
    internal_ip: '', kvm: '', hostname: i.label, tag: '', tags: [], os_id: 2136, app_id: 0, image_id: '', firewall_group_id: '', features: [...i.features],
  });

  const handle = (req: FakeRequest, problems: string[]): FakeReply => {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer \S+$/.test(auth)) { problems.push(`${req.method} ${req.path}: Authorization is not "Bearer <api key>"`); return error(401, 'Invalid API token.'); }
    if (auth !== `Bearer ${apiKey}`) return error(401, 'Invalid API token.');
    if (req.path === '/v2/account') {
      if (req.method !== 'GET') { problems.push(`${req.method} /v2/account`); return error(405, 'Method not allowed'); }
      return jsonReply(200, { account: { name: 'Example', email: 'ops@example.net', acls: ['manage_servers'], balance: 0, pending_charges: 0, last_payment_date: '', last_payment_amount: 0 } });
    }
    const m = /^\/v2\/instances\/([^/]+)$/.exec(req.path);
    if (!m) { problems.push(`${req.method} ${req.path}: no such Vultr endpoint`); return error(404, 'Not found'); }
    const inst = instances.get(m[1]!);
    if (!inst) return error(404, 'Invalid instance-id.');
    if (req.method === 'GET') return jsonReply(200, { instance: view(inst) });
    if (req.method !== 'PATCH') { problems.push(`${req.method} ${req.path}: an instance is updated with PATCH`); return error(405, 'Method not allowed'); }
    const found: string[] = [];
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) found.push(`PATCH ${req.path}: content-type ${JSON.stringify(req.headers['content-type'])}`);
    const b = req.json as Record<string, unknown> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) found.push(`PATCH ${req.path}: body is not a JSON object`);
    else {
      for (const k of Object.keys(b)) if (!UPDATE_KEYS.includes(k)) found.push(`PATCH ${req.path}: ${k} is not an Update Instance field`);
      if ('ddos_protection' in b && typeof b.ddos_protection !== 'boolean') found.push('PATCH: ddos_protection must be a boolean');
      if (Object.keys(b).length === 0) found.push('PATCH: empty update');
    }
    if (found.length) { problems.push(...found); return error(400, found[0]!); }
    if (typeof b!.ddos_protection === 'boolean') {
      const on = inst.features.includes('ddos_protection');
      if (b!.ddos_protection && !on) inst.features.push('ddos_protection');
      if (!b!.ddos_protection && on) inst.features.splice(inst.features.indexOf('ddos_protection'), 1);
    }
    return jsonReply(202, { instance: view(inst) });
  };

  const failure = (mode: FailureMode, req: FakeRequest): FakeReply => {
    switch (mode) {
      case 'rate_limited': return error(429, 'Rate limit exceeded', req);
      case 'server_error': return error(500, 'Internal server error', req);
      case 'unauthorized': return error(401, 'Invalid API token.', req);
      case 'bad_request': return error(400, 'Bad request', req);
    }
  };

  const fake = await startProviderFake({ handle, failure }, opts.clock ?? manualClock());
  return Object.assign(fake, { apiKey, instances });
}
