// A local OVHcloud API (under /1.0, as the real endpoints are) for what the ovh_mitigation type uses,
// checking each call as OVH documents it: GET /auth/time unsigned; every other call carries
// X-Ovh-Application, X-Ovh-Consumer, a timestamp within 5 minutes of the API's clock and the "$1$"
// SHA1 signature over AS+CK+METHOD+FULL_URL+BODY+TIMESTAMP, which this fake recomputes from the URL
// as it arrived. Errors as OVH sends them ({message, errorCode, httpCode}). State: the account's IP
// blocks and the addresses on mitigation, moving creationPending → ok and removalPending → gone after
// `settleMs` of the shared clock.
import { randomBytes } from 'node:crypto';
import { expectJsonBody } from '@breakwater/outbound/testing';
import { parsePrefix, prefixContains } from '@breakwater/contracts';
import { echoOf, jsonReply, manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';
import { ovhSignature } from '../ovh-api.ts';

export interface FakeMitigation { ipOnMitigation: string; permanent: boolean; auto: boolean; state: 'creationPending' | 'ok' | 'removalPending'; changedAt: number }

export interface OvhFake extends ProviderFake {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  /** The API base a client is given (…/1.0). */
  apiUrl: string;
  /** Addresses on mitigation, by address, as OVH would report them now. */
  mitigations(): Map<string, FakeMitigation>;
  rateLimited(retryAfterS: number): FakeReply;
}

const err = (status: number, message: string, errorCode?: string, extra: Record<string, unknown> = {}) =>
  jsonReply(status, { message, ...(errorCode ? { errorCode, httpCode: `${status} ${status === 400 ? 'Bad Request' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error'}` } : {}), ...extra });

export async function startOvhFake(init: { blocks: string[]; settleMs?: number; clock?: ManualClock }): Promise<OvhFake> {
  const clock = init.clock ?? manualClock();
  const settleMs = init.settleMs ?? 60_000;
  const applicationKey = randomBytes(8).toString('hex');
  const applicationSecret = randomBytes(16).toString('hex');
  const consumerKey = randomBytes(16).toString('hex');
  const table = new Map<string, FakeMitigation>();
  let origin = '';

  /** Moves pending states along the clock. */
  const settle = () => {
    for (const [ip, m] of table) {
      if (clock.now() - m.changedAt < settleMs) continue;
      if (m.state === 'creationPending') m.state = 'ok';
      else if (m.state === 'removalPending') table.delete(ip);
    }
    return table;
  };
  const view = (m: FakeMitigation) => ({ ipOnMitigation: m.ipOnMitigation, permanent: m.permanent, auto: m.auto, state: m.state });

  function handle(req: FakeRequest, problems: string[]): FakeReply {
    if (!req.rawPath.startsWith('/1.0/')) { problems.push(`${req.method} ${req.path}: not under /1.0`); return err(404, 'Not Found'); }
    // Routed on the raw path: the block's "/" is sent as %2F and must not split the segment.
    const segments = req.rawPath.slice(4).split('/').map((x) => decodeURIComponent(x));
    const p = segments.join('/');
    if (req.method === 'GET' && p === '/auth/time') return jsonReply(200, Math.floor(clock.now() / 1000));
    const h = req.headers;
    if (h['x-ovh-application'] !== applicationKey) { problems.push(`${req.method} ${p}: X-Ovh-Application ${h['x-ovh-application'] ? 'unknown' : 'missing'}`); return err(403, 'Invalid application key', 'INVALID_KEY'); }
    if (h['x-ovh-consumer'] !== consumerKey) { problems.push(`${req.method} ${p}: X-Ovh-Consumer ${h['x-ovh-consumer'] ? 'unknown' : 'missing'}`); return err(403, 'This credential is not valid', 'INVALID_CREDENTIAL', { echo: echoOf(req) }); }
    const ts = Number(h['x-ovh-timestamp']);
    if (!/^\d+$/.test(String(h['x-ovh-timestamp'])) || Math.abs(ts - clock.now() / 1000) > 300) { problems.push(`${req.method} ${p}: X-Ovh-Timestamp ${String(h['x-ovh-timestamp'])} is not the API's time`); return err(400, 'Invalid timestamp', 'INVALID_SIGNATURE'); }
    // The full URL exactly as the client sent it.
    const url = `${origin}${req.rawPath}${req.query.size ? `?${req.query.toString()}` : ''}`;
    if (h['x-ovh-signature'] !== ovhSignature(applicationSecret, consumerKey, req.method, url, req.body, ts)) { problems.push(`${req.method} ${p}: X-Ovh-Signature does not match $1$+SHA1(AS+CK+METHOD+URL+BODY+TS)`); return err(400, 'Invalid signature', 'INVALID_SIGNATURE'); }
    if (req.method === 'POST' && !expectJsonBody(problems, req)) return err(400, 'Invalid JSON body');
    if (req.method === 'GET' && p === '/auth/currentCredential') {
      return jsonReply(200, { credentialId: 42, applicationId: 7, status: 'validated', rules: [{ method: 'GET', path: '/ip/*' }, { method: 'POST', path: '/ip/*' }, { method: 'DELETE', path: '/ip/*' }], expiration: null, creation: new Date(clock.now()).toISOString(), lastUse: null, ovhSupport: false, allowedIPs: null });
    }
    const m = segments[1] === 'ip' && segments[3] === 'mitigation' && segments.length <= 5 ? [p, segments[2], segments[4]] : null;
    if (m) {
      const block = m[1]!;
      if (!init.blocks.includes(block)) return err(404, `The requested object (ip = ${block}) does not exist`);
      const bp = parsePrefix(block)!;
      settle();
      if (req.method === 'POST' && m[2] === undefined) {
        const keys = Object.keys(req.json);
        if (keys.length !== 1 || typeof req.json.ipOnMitigation !== 'string') { problems.push(`POST mitigation body ${req.body}: want exactly {"ipOnMitigation": "<ipv4>"}`); return err(400, 'Invalid parameter ipOnMitigation'); }
        const ip = req.json.ipOnMitigation as string;
        if (!prefixContains(bp, ip)) return err(400, `${ip} is not in ${block}`);
        const had = table.get(ip);
        if (had && had.permanent) return err(409, 'This IP is already in permanent mitigation');
        const e: FakeMitigation = { ipOnMitigation: ip, permanent: true, auto: had?.auto ?? false, state: 'creationPending', changedAt: clock.now() };
        table.set(ip, e);
        return jsonReply(200, view(e));
      }
      const ip = m[2];
      if (ip !== undefined && (req.method === 'GET' || req.method === 'DELETE')) {
        const e = table.get(ip);
        if (!e || !prefixContains(bp, ip)) return err(404, `The requested object (ipOnMitigation = ${ip}) does not exist`);
        if (req.method === 'GET') return jsonReply(200, view(e));
        if (!e.permanent || e.state === 'removalPending') return err(400, `The IP ${ip} cannot be removed from mitigation in state ${e.state}`);
        e.state = 'removalPending';
        e.changedAt = clock.now();
        return jsonReply(200, view(e));
      }
    }
    problems.push(`no such endpoint: ${req.method} ${p}`);
    return err(404, 'Got an invalid (or empty) URL');
  }

  const rateLimited = (s: number) => jsonReply(429, { message: 'Too many requests' }, { 'retry-after': String(s) });
  const fake = await startProviderFake({
    handle,
    failure(mode, req) {
      if (mode === 'rate_limited') return rateLimited(3);
      if (mode === 'unauthorized') return err(403, 'This credential is not valid', 'INVALID_CREDENTIAL', { echo: echoOf(req) });
      if (mode === 'bad_request') return err(400, 'Invalid request', undefined, { echo: echoOf(req) });
      return err(500, 'Internal server error', undefined, { echo: echoOf(req) });
    },
  }, clock);
  origin = fake.url;
  return Object.assign(fake, {
    applicationKey, applicationSecret, consumerKey, rateLimited,
    get apiUrl() { return `${fake.url}/1.0`; },
    mitigations: () => settle(),
  });
}
