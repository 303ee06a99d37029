// A local AWS Shield Advanced + WAFv2 endpoint (AWS JSON 1.1) that checks every request as AWS
// documents it and answers with AWS's bodies. The SigV4 check is written here on its own, from
// the documentation rather than from ../sigv4.ts, so a mistake in the signer cannot agree with
// itself: the canonical request is rebuilt from the request as it arrived (method, path, query, the
// headers named in SignedHeaders with their received values, the body's SHA-256), then the string
// to sign, the signing key from the secret of the access key named in Credential, and the HMAC.
// Also checked: the credential scope (date = X-Amz-Date's, region, service for the X-Amz-Target),
// X-Amz-Date within 5 minutes of the fake's clock, host and x-amz-* headers signed, the session token.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FailureMode } from '@breakwater/outbound/testing';
import { manualClock, startProviderFake, type FakeReply, type FakeRequest, type ManualClock, type ProviderFake } from '../../testing/fake-server.ts';

export interface FakeProtection { Id: string; Name: string; ResourceArn: string; ProtectionArn: string; Tags: { Key: string; Value: string }[] }
export interface FakeWebAcl { Name: string; Id: string; Scope: 'REGIONAL' | 'CLOUDFRONT'; Rules: Record<string, unknown>[]; DefaultAction: Record<string, unknown>; VisibilityConfig: Record<string, unknown>; Description: string; lockToken: string }

export interface AwsFake extends ProviderFake {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  protections: Map<string, FakeProtection>;
  subscription: { exists: boolean; proactive: 'ENABLED' | 'DISABLED'; emergencyContacts: boolean };
  webAcl: FakeWebAcl;
  /** The next UpdateWebACL finds the ACL saved by another writer since its read (its LockToken stale). */
  raceNextUpdate: boolean;
  /** Operations in the order they arrived ("AWSShield_20160616.CreateProtection", …). */
  ops(): string[];
}

const AMZ = 'application/x-amz-json-1.1';
const reply = (status: number, body: unknown): FakeReply => ({ status, headers: { 'content-type': AMZ, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(body) });
const awsErr = (status: number, type: string, message: string, req?: FakeRequest): FakeReply =>
  reply(status, { __type: type, message, ...(req ? { echo: { headers: req.headers, body: req.body } } : {}) });
/** AWS's documented throttling reply (Common Errors): HTTP 400, no Retry-After. */
export const awsThrottled = (): FakeReply => awsErr(400, 'ThrottlingException', 'Rate exceeded');

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s, 'utf8').digest();
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const SERVICES: Record<string, { service: string; regions: readonly string[] | null }> = {
  AWSShield_20160616: { service: 'shield', regions: ['us-east-1'] },
  AWSWAF_20190729: { service: 'wafv2', regions: null },
};

/** Problems with the signature; `who` is 'unknown-key' when the access key is not one the fake knows. */
function checkSignature(req: FakeRequest, keys: Map<string, string>, sessionToken: string | null, nowMs: number): { problems: string[]; unknownKey: boolean; expired: boolean } {
  const p: string[] = [];
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { problems: [`Authorization ${JSON.stringify(auth.slice(0, 40))} is not a SigV4 header`], unknownKey: false, expired: false };
  const [, akid, date, region, service, signedList, signature] = m as unknown as string[];
  const secret = keys.get(akid!);
  if (!secret) return { problems: [], unknownKey: true, expired: false };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) p.push(`X-Amz-Date ${JSON.stringify(amzDate)} is not YYYYMMDDTHHMMSSZ`);
  else {
    if (amzDate.slice(0, 8) !== date) p.push(`credential scope date ${date} is not X-Amz-Date's ${amzDate.slice(0, 8)}`);
    const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
    if (Math.abs(at - nowMs) > 5 * 60_000) return { problems: [`Signature expired: ${amzDate} is more than 5 minutes from the server's time`], unknownKey: false, expired: true };
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const svc = SERVICES[target.split('.')[0] ?? ''];
  if (svc && service !== svc.service) p.push(`credential scope service ${service}, want ${svc.service} for ${target}`);
  if (svc?.regions && !svc.regions.includes(region!)) p.push(`credential scope region ${region}, want ${svc.regions.join('/')}`);
  const signed = signedList!.split(';');
  if ([...signed].sort().join(';') !== signedList) p.push('SignedHeaders are not sorted');
  for (const must of ['host', 'x-amz-date']) if (!signed.includes(must)) p.push(`${must} is not signed`);
  for (const h of Object.keys(req.headers)) if (h.startsWith('x-amz-') && !signed.includes(h)) p.push(`${h} is sent but not signed`);
  const tok = req.headers['x-amz-security-token'];
  if ((tok ?? null) !== sessionToken) p.push(sessionToken ? 'the session token is missing or wrong' : 'a session token is sent for long-term credentials');
  const canonicalHeaders = signed.map((h) => {
    const v = req.headers[h];
    return `${h}:${(Array.isArray(v) ? v.join(',') : String(v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const query = [...req.query.entries()].map(([k, v]) => `${enc(k)}=${enc(v)}`).sort().join('&');
  const path = req.path === '/' ? '/' : req.path.split('/').map((s) => enc(enc(s))).join('/');
  const canonical = [req.method, path, query, canonicalHeaders, signedList, sha256(req.body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  if (createHmac('sha256', key).update(toSign, 'utf8').digest('hex') !== signature) p.push('The request signature we calculated does not match the signature you provided');
  return { problems: p, unknownKey: false, expired: false };
}

const NAME = /^[ a-zA-Z0-9_.-]{1,128}$/;
const UPDATE_ALLOWED = new Set(['Name', 'Scope', 'Id', 'DefaultAction', 'Description', 'Rules', 'VisibilityConfig', 'LockToken', 'CustomResponseBodies', 'CaptchaConfig', 'ChallengeConfig', 'TokenDomains', 'AssociationConfig', 'DataProtectionConfig', 'OnSourceDDoSProtectionConfig']);

function ruleProblems(rules: unknown): string[] {
  if (!Array.isArray(rules)) return ['Rules is not a list'];
  const p: string[] = [];
  const names = new Set<string>();
  const prios = new Set<number>();
  rules.forEach((r: Record<string, unknown>, i) => {
    const w = `Rules[${i}]`;
    if (typeof r.Name !== 'string' || !/^[\w-]{1,128}$/.test(r.Name)) p.push(`${w}.Name`);
    else if (names.has(r.Name)) p.push(`${w}.Name ${r.Name} is not unique`); else names.add(r.Name);
    if (!Number.isInteger(r.Priority) || (r.Priority as number) < 0) p.push(`${w}.Priority`);
    else if (prios.has(r.Priority as number)) p.push(`${w}.Priority ${r.Priority} is not unique`); else prios.add(r.Priority as number);
    if (!r.Statement || typeof r.Statement !== 'object') p.push(`${w}.Statement`);
    if (!r.Action === !r.OverrideAction) p.push(`${w}: exactly one of Action and OverrideAction`);
    const v = r.VisibilityConfig as Record<string, unknown> | undefined;
    if (!v || typeof v.SampledRequestsEnabled !== 'boolean' || typeof v.CloudWatchMetricsEnabled !== 'boolean' || typeof v.MetricName !== 'string') p.push(`${w}.VisibilityConfig`);
    const rb = (r.Statement as { RateBasedStatement?: Record<string, unknown> } | undefined)?.RateBasedStatement;
    if (rb) {
      if (!Number.isInteger(rb.Limit) || (rb.Limit as number) < 10) p.push(`${w}.RateBasedStatement.Limit must be an integer of 10 or more`);
      if (!['IP', 'FORWARDED_IP', 'CUSTOM_KEYS', 'CONSTANT'].includes(String(rb.AggregateKeyType))) p.push(`${w}.RateBasedStatement.AggregateKeyType`);
      if (rb.EvaluationWindowSec !== undefined && ![60, 120, 300, 600].includes(rb.EvaluationWindowSec as number)) p.push(`${w}.RateBasedStatement.EvaluationWindowSec`);
    }
  });
  return p;
}

export async function startAwsFake(opts: { clock?: ManualClock; sessionToken?: boolean } = {}): Promise<AwsFake> {
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = opts.sessionToken ? randomBytes(48).toString('base64') : null;
  const keys = new Map([[accessKeyId, secretAccessKey]]);
  const protections = new Map<string, FakeProtection>();
  const subscription = { exists: true, proactive: 'DISABLED' as 'ENABLED' | 'DISABLED', emergencyContacts: true };
  const webAcl: FakeWebAcl = {
    Name: 'web-acl', Id: randomUUID(), Scope: 'REGIONAL', Description: 'operator ACL', DefaultAction: { Allow: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'web-acl' },
    Rules: [{ Name: 'operator-geo', Priority: 5, Statement: { GeoMatchStatement: { CountryCodes: ['XX'] } }, Action: { Block: {} }, VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: 'geo' } }],
    lockToken: randomUUID(),
  };
  const clock = opts.clock ?? manualClock();
  const ops: string[] = [];
  const state = { race: false };

  const shieldOp = (op: string, b: Record<string, unknown>, problems: string[]): FakeReply => {
    const known = (...k: string[]) => { for (const x of Object.keys(b)) if (!k.includes(x)) problems.push(`${op}: ${x} is not a request field`); };
    switch (op) {
      case 'CreateProtection': {
        known('Name', 'ResourceArn', 'Tags');
        if (typeof b.Name !== 'string' || !NAME.test(b.Name)) problems.push('CreateProtection: Name must be 1-128 of [ a-zA-Z0-9_.-]');
        if (typeof b.ResourceArn !== 'string' || !/^arn:aws.*/.test(b.ResourceArn)) problems.push('CreateProtection: ResourceArn must match ^arn:aws.*');
        if (b.Tags !== undefined && (!Array.isArray(b.Tags) || !b.Tags.every((t: { Key?: unknown; Value?: unknown }) => typeof t.Key === 'string' && t.Key.length <= 128 && typeof t.Value === 'string' && t.Value.length <= 256 && /^[\p{L}\p{N}\s_.:/=+\-@]*$/u.test(t.Value)))) problems.push('CreateProtection: Tags must be [{Key, Value}] within AWS tag limits');
        if (protections.has(String(b.ResourceArn))) return awsErr(400, 'ResourceAlreadyExistsException', 'The referenced protection already exists.');
        const Id = randomUUID();
        protections.set(String(b.ResourceArn), { Id, Name: String(b.Name), ResourceArn: String(b.ResourceArn), ProtectionArn: `arn:aws:shield::123456789012:protection/${Id}`, Tags: (b.Tags as FakeProtection['Tags']) ?? [] });
        return reply(200, { ProtectionId: Id });
      }
      case 'DescribeProtection': {
        known('ProtectionId', 'ResourceArn');
        if ((b.ProtectionId === undefined) === (b.ResourceArn === undefined)) problems.push('DescribeProtection: give ProtectionId or ResourceArn, not both');
        const p = [...protections.values()].find((x) => x.Id === b.ProtectionId || x.ResourceArn === b.ResourceArn);
        if (!p) return awsErr(400, 'ResourceNotFoundException', 'The referenced protection does not exist.');
        const { Tags: _t, ...shown } = p;
        return reply(200, { Protection: { ...shown, HealthCheckIds: [] } });
      }
      case 'DeleteProtection': {
        known('ProtectionId');
        const p = [...protections.values()].find((x) => x.Id === b.ProtectionId);
        if (!p) return awsErr(400, 'ResourceNotFoundException', 'The referenced protection does not exist.');
        protections.delete(p.ResourceArn);
        return reply(200, {});
      }
      case 'ListProtections': {
        known('MaxResults', 'NextToken', 'InclusionFilters');
        // Shield answers ResourceNotFoundException when the account has no protection at all.
        if (protections.size === 0) return awsErr(400, 'ResourceNotFoundException', 'No protections found.');
        return reply(200, { Protections: [...protections.values()].map(({ Tags: _t, ...p }) => ({ ...p, HealthCheckIds: [] })) });
      }
      case 'DescribeSubscription': {
        known();
        if (!subscription.exists) return awsErr(400, 'ResourceNotFoundException', 'The subscription does not exist.');
        return reply(200, { Subscription: { StartTime: 1.7e9, TimeCommitmentInSeconds: 31536000, AutoRenew: 'ENABLED', ProactiveEngagementStatus: subscription.proactive, SubscriptionArn: 'arn:aws:shield::123456789012:subscription/abc' } });
      }
      case 'EnableProactiveEngagement':
      case 'DisableProactiveEngagement': {
        known();
        if (op === 'EnableProactiveEngagement' && !subscription.emergencyContacts) return awsErr(400, 'InvalidOperationException', 'The emergency contact list is empty.');
        subscription.proactive = op === 'EnableProactiveEngagement' ? 'ENABLED' : 'DISABLED';
        return reply(200, {});
      }
      default:
        problems.push(`${op}: not an operation this integration is meant to call`);
        return awsErr(400, 'UnknownOperationException', 'Unknown operation');
    }
  };

  const wafOp = (op: string, b: Record<string, unknown>, problems: string[]): FakeReply => {
    if (b.Name !== webAcl.Name || b.Id !== webAcl.Id || b.Scope !== webAcl.Scope) return awsErr(400, 'WAFNonexistentItemException', 'AWS WAF couldn’t perform the operation because your resource doesn’t exist.');
    if (op === 'GetWebACL') {
      for (const x of Object.keys(b)) if (!['Name', 'Scope', 'Id', 'ARN'].includes(x)) problems.push(`GetWebACL: ${x} is not a request field`);
      const { lockToken, Scope: _s, ...acl } = webAcl;
      return reply(200, { WebACL: { ...structuredClone(acl), ARN: `arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/${webAcl.Name}/${webAcl.Id}`, Capacity: 100, ManagedByFirewallManager: false, LabelNamespace: 'awswaf:123456789012:webacl:web-acl:' }, LockToken: lockToken });
    }
    if (op === 'UpdateWebACL') {
      for (const x of Object.keys(b)) if (!UPDATE_ALLOWED.has(x)) problems.push(`UpdateWebACL: ${x} is not a request field`);
      for (const x of ['DefaultAction', 'VisibilityConfig', 'LockToken']) if (b[x] === undefined) problems.push(`UpdateWebACL: ${x} is required`);
      const rp = ruleProblems(b.Rules);
      if (rp.length) { problems.push(...rp.map((s) => `UpdateWebACL: ${s}`)); return awsErr(400, 'WAFInvalidParameterException', rp[0]!); }
      if (state.race) { state.race = false; webAcl.lockToken = randomUUID(); }
      if (b.LockToken !== webAcl.lockToken) return awsErr(400, 'WAFOptimisticLockException', 'AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it.');
      webAcl.Rules = structuredClone(b.Rules as Record<string, unknown>[]);
      webAcl.DefaultAction = b.DefaultAction as Record<string, unknown>;
      webAcl.lockToken = randomUUID();
      return reply(200, { NextLockToken: webAcl.lockToken });
    }
    problems.push(`${op}: not an operation this integration is meant to call`);
    return awsErr(400, 'UnknownOperationException', 'Unknown operation');
  };

  const handle = (req: FakeRequest, problems: string[]): FakeReply => {
    if (req.method !== 'POST' || req.path !== '/') { problems.push(`${req.method} ${req.path}: AWS JSON calls are POST /`); return awsErr(404, 'UnknownOperationException', 'Unknown operation'); }
    if (req.headers['content-type'] !== AMZ) problems.push(`Content-Type ${JSON.stringify(req.headers['content-type'])}, want ${AMZ}`);
    const sig = checkSignature(req, keys, sessionToken, clock.now());
    if (sig.unknownKey) return awsErr(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (sig.problems.length) {
      problems.push(...sig.problems);
      return awsErr(sig.expired ? 403 : 403, 'InvalidSignatureException', sig.expired ? sig.problems[0]! : 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    ops.push(target);
    const [prefix, op] = target.split('.');
    const b = req.json as Record<string, unknown> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) { problems.push(`${target}: body is not a JSON object`); return awsErr(400, 'SerializationException', 'body is not JSON'); }
    if (prefix === 'AWSShield_20160616') return shieldOp(op ?? '', b, problems);
    if (prefix === 'AWSWAF_20190729') return wafOp(op ?? '', b, problems);
    problems.push(`X-Amz-Target ${JSON.stringify(target)} is not Shield's or WAFv2's`);
    return awsErr(400, 'UnknownOperationException', 'Unknown operation');
  };

  const failure = (mode: FailureMode, req: FakeRequest): FakeReply => {
    switch (mode) {
      case 'rate_limited': return awsErr(400, 'ThrottlingException', 'Rate exceeded', req);
      case 'server_error': return awsErr(500, 'InternalErrorException', 'An internal error occurred.', req);
      case 'unauthorized': return awsErr(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', req);
      case 'bad_request': return awsErr(400, 'InvalidParameterException', 'Invalid parameter', req);
    }
  };

  const fake = await startProviderFake({ handle, failure }, clock);
  const out = Object.assign(fake, { accessKeyId, secretAccessKey, sessionToken, protections, subscription, webAcl, ops: () => [...ops] }) as AwsFake;
  Object.defineProperty(out, 'raceNextUpdate', { get: () => state.race, set: (v: boolean) => { state.race = v; }, enumerable: true });
  return out;
}
