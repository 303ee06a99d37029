// AWS Shield Advanced: no BGP diversion switch either — Shield Advanced protects a resource (an
// Elastic IP allocation, a load balancer, CloudFront, Global Accelerator, Route 53) once a
// *protection* exists for it: AWS then applies its tailored network-layer mitigations and DDoS
// cost protection, and its Shield Response Team can act. So enable does, for the target resource:
//   1. CreateProtection (named breakwater-<digest of the ARN>, the reason in a tag) unless the
//      resource is protected already — DescribeProtection tells, and an operator's own protection
//      is never deleted;
//   2. with proactive_engagement, EnableProactiveEngagement (account-wide: the SRT contacts the
//      operator's emergency contacts during an event) when DescribeSubscription says it is off;
//   3. with web_acl, a WAFv2 rate-based block rule (per client IP, 5-minute window) added to the web
//      ACL associated with the resource: the application-layer half that a protection alone does not
//      apply (GetWebACL for the rules and LockToken, UpdateWebACL with them plus ours).
// Disable undoes what is ours: the WAF rule, our protection, and proactive engagement once no other
// Breakwater protection is left. Status reads all of it back, so a restart loses nothing.
// Every request is SigV4-signed here (./sigv4.ts), afresh for each attempt. Throttling (HTTP 400
// ThrottlingException) is a rate_limited error for the caller to space out.
import { createHash } from 'node:crypto';
import type { ScrubbingCapabilities, ScrubbingStatus, ScrubbingTestResult } from '@breakwater/contracts';
import { sanitiseReason } from '@breakwater/outbound';
import { baseUrl, scrubbingConfig } from '../config.ts';
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, serialQueue, type ProviderReply } from '../http.ts';
import type { ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import { covers, namedTarget } from '../targets.ts';
import { testFailure, testOk } from '../test-result.ts';
import {
  AUTH_ERRORS, DEFAULT_SHIELD_URL, DOCS, JSON_11, NAME_PREFIX, SHIELD_REGION, THROTTLE_ERRORS, UPDATE_FIELDS,
  awsError, freePriority, parseProtection, protectionName, rateRule, rateRuleName, shield, waf,
  type AwsCall, type Protection, type WafRule,
} from './api.ts';
import { signRequest, type AwsCredentials } from './sigv4.ts';

export const AWS_SHIELD_CAPABILITIES: ScrubbingCapabilities = {
  diverts: false,
  mechanism: 'shield_protection',
  action: 'AWS offers no diversion switch: enable creates a Shield Advanced protection for the resource (and, as configured, turns on proactive engagement and adds a WAFv2 rate-based block rule to its web ACL); disable removes what Breakwater added',
  target_kind: 'resource',
  // A protection applies once created; AWS documents no propagation delay for it or for web ACL changes.
  advertise_seconds: 0,
  withdraw_seconds: 0,
  docs: DOCS,
};

const digest = (arn: string) => createHash('sha256').update(arn).digest('hex').slice(0, 16);
/** Tag values take letters, digits, white space and _ . : / = + - @ (at most 256). */
const tagValue = (s: string) => (s.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, ' ').trim() || 'breakwater').slice(0, 256);
const THROTTLE_HINT_MS = 1_000;

export const createAwsShieldProvider: ScrubbingFactory = (raw, deps) => {
  const cfg = scrubbingConfig('aws_shield', raw);
  const creds: AwsCredentials = { accessKeyId: cfg.access_key_id, secretAccessKey: cfg.secret_access_key, ...(cfg.session_token ? { sessionToken: cfg.session_token } : {}) };
  const secrets = [cfg.secret_access_key, ...(cfg.session_token ? [cfg.session_token] : [])];
  const shieldBase = baseUrl(cfg.api_url, DEFAULT_SHIELD_URL);
  const acl = cfg.web_acl;
  const aclRegion = acl ? (acl.scope === 'CLOUDFRONT' ? 'us-east-1' : acl.region ?? 'us-east-1') : 'us-east-1';
  const wafBase = acl ? baseUrl(acl.api_url, `https://wafv2.${aclRegion}.amazonaws.com`) : '';
  const resources = new Map(cfg.resources.map((r) => [r.arn, r]));
  const queue = serialQueue();

  /** One signed call; resolves with the reply (2xx or an AWS error other than throttling/auth). */
  async function send(service: 'shield' | 'wafv2', c: AwsCall, what: string): Promise<ProviderReply> {
    const base = service === 'shield' ? shieldBase : wafBase;
    const region = service === 'shield' ? SHIELD_REGION : aclRegion;
    const url = joinUrl(base, '/');
    const body = JSON.stringify(c.body);
    const build = () => {
      const signed = signRequest({ method: 'POST', url, headers: { 'content-type': JSON_11, 'x-amz-target': c.target }, body, region, service, now: deps.now() }, creds);
      return { method: 'POST' as const, url, headers: signed.headers, body };
    };
    const label = `aws ${service}: ${what}`;
    const reply = await providerCall(deps, build, label, secrets);
    if (reply.status >= 200 && reply.status < 300) return reply;
    const e = awsError(reply.json);
    const why = e ? `${e.type}${e.message ? `: ${e.message}` : ''}` : null;
    // AWS documents throttling as HTTP 400 ThrottlingException with no Retry-After: never waited
    // out here (the caller's retry policy spaces it), and a hint of a second for when.
    if (e && THROTTLE_ERRORS.has(e.type)) {
      throw new ScrubbingError('rate_limited', sanitiseReason(`${label}: HTTP ${reply.status}: ${why} (retry after 1 s)`, secrets), { status: reply.status, retryAfterMs: THROTTLE_HINT_MS });
    }
    if (e && AUTH_ERRORS.has(e.type)) throw new ScrubbingError('auth', sanitiseReason(`${label}: HTTP ${reply.status}: ${why}`, secrets), { status: reply.status });
    if (reply.status >= 500 || !e) throw replyFailure(label, reply, secrets, why, deps);
    return reply; // a modelled AWS error: the caller decides what it means
  }

  /** A call whose modelled errors are failures too, except those listed (returned as their type). */
  async function ok(service: 'shield' | 'wafv2', c: AwsCall, what: string, tolerate: readonly string[] = []): Promise<{ json: unknown; error: string | null }> {
    const reply = await send(service, c, what);
    if (reply.status >= 200 && reply.status < 300) return { json: reply.json, error: null };
    const e = awsError(reply.json)!;
    if (tolerate.includes(e.type)) return { json: reply.json, error: e.type };
    if (e.type === 'InvalidOperationException' && what.includes('proactive')) {
      throw ScrubbingError.config('config.proactive_engagement', `AWS refused proactive engagement (${sanitiseReason(e.message, secrets)}): the subscription needs emergency contacts first, or set it to false`);
    }
    if (e.type === 'WAFNonexistentItemException') throw ScrubbingError.config('config.web_acl', `AWS has no such web ACL (${acl?.name} ${acl?.id}, scope ${acl?.scope})`);
    throw new ScrubbingError(e.type === 'InternalErrorException' || e.type === 'WAFInternalErrorException' ? 'provider' : 'refused',
      sanitiseReason(`aws ${service}: ${what}: HTTP ${reply.status}: ${e.type}${e.message ? `: ${e.message}` : ''}`, secrets), { status: reply.status });
  }

  async function protectionOf(arn: string): Promise<Protection | null> {
    const r = await ok('shield', shield('DescribeProtection', { ResourceArn: arn }), 'describe the protection', ['ResourceNotFoundException']);
    return r.error ? null : parseProtection(r.json);
  }

  async function webAcl(): Promise<{ rules: WafRule[]; lockToken: string; raw: Record<string, unknown> }> {
    const r = await ok('wafv2', waf('GetWebACL', { Name: acl!.name, Scope: acl!.scope, Id: acl!.id }), 'read the web ACL');
    const o = r.json as { WebACL?: Record<string, unknown>; LockToken?: unknown } | null;
    if (!o?.WebACL || typeof o.LockToken !== 'string') throw new ScrubbingError('provider', 'aws wafv2: read the web ACL: the reply holds no WebACL or LockToken');
    return { rules: Array.isArray(o.WebACL.Rules) ? (o.WebACL.Rules as WafRule[]) : [], lockToken: o.LockToken, raw: o.WebACL };
  }

  /** Adds or removes our rate rule; one retry when another writer changed the ACL in between. */
  async function setRateRule(name: string, on: boolean): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const cur = await webAcl();
      const has = cur.rules.some((r) => r.Name === name);
      if (has === on) return;
      const rules = on ? [...cur.rules, rateRule(name, freePriority(cur.rules), acl!.rate_limit ?? 1000)] : cur.rules.filter((r) => r.Name !== name);
      const keep = Object.fromEntries(UPDATE_FIELDS.filter((k) => cur.raw[k] !== undefined).map((k) => [k, cur.raw[k]]));
      const r = await ok('wafv2', waf('UpdateWebACL', { Name: acl!.name, Scope: acl!.scope, Id: acl!.id, ...keep, Rules: rules, LockToken: cur.lockToken }),
        `${on ? 'add' : 'remove'} the rate-based rule`, ['WAFOptimisticLockException']);
      if (!r.error) return;
    }
    throw new ScrubbingError('provider', 'aws wafv2: the web ACL kept changing under us (WAFOptimisticLockException twice)');
  }

  const checkTarget = (target: string): string => digest(namedTarget([...resources.keys()], target));

  async function statusOf(target: string): Promise<ScrubbingStatus> {
    const d = digest(target);
    const p = await protectionOf(target);
    const ruleOn = acl ? (await webAcl()).rules.some((r) => r.Name === rateRuleName(d)) : false;
    const oursP = p?.Name === protectionName(d);
    const base = { target, since: null, settles_at: null };
    if (!oursP && !ruleOn) {
      return { ...base, state: 'idle', detail: p ? `already protected by Shield Advanced protection "${sanitiseReason(p.Name)}", which Breakwater did not create and leaves alone` : 'no Shield Advanced protection' };
    }
    if (p && (!acl || ruleOn)) return { ...base, state: 'diverting', detail: `Shield Advanced protection ${oursP ? 'created by Breakwater' : `"${sanitiseReason(p.Name)}"`}${ruleOn ? ` and a rate-based rule in web ACL ${acl!.name}` : ''} (no diversion: AWS has no switch for one)` };
    return { ...base, state: 'failed', detail: `partly in place (protection: ${p ? 'yes' : 'no'}, rate rule: ${ruleOn ? 'yes' : 'no'}); enable or disable again completes it` };
  }

  async function otherOursLeft(except: string): Promise<boolean> {
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await ok('shield', shield('ListProtections', { MaxResults: 100, ...(token ? { NextToken: token } : {}) }), 'list protections', ['ResourceNotFoundException']);
      if (r.error) return false;
      const o = r.json as { Protections?: Protection[]; NextToken?: string } | null;
      if ((o?.Protections ?? []).some((p) => p.Name?.startsWith(NAME_PREFIX) && p.ResourceArn !== except)) return true;
      token = o?.NextToken;
      if (!token) return false;
    }
    return true; // too many to page through: leave proactive engagement on rather than guess
  }

  const provider: ScrubbingProvider = {
    type: 'aws_shield',
    capabilities: AWS_SHIELD_CAPABILITIES,
    // The target itself (an operator naming it) or an attacked address a resource serves.
    targetFor: (address) => (resources.has(address.trim()) ? address.trim() : cfg.resources.find((r) => covers(r.addresses, address))?.arn ?? null),
    targets: () => cfg.resources.map((r) => r.arn),
    async test(): Promise<ScrubbingTestResult> {
      const started = deps.now();
      try {
        const r = await ok('shield', shield('DescribeSubscription'), 'describe the subscription', ['ResourceNotFoundException']);
        if (!r.error) return testOk(deps, started);
        return testFailure(deps, started, new ScrubbingError('refused', 'aws shield: the credentials work, but the account has no Shield Advanced subscription'));
      } catch (err) {
        return testFailure(deps, started, err);
      }
    },
    status: (target) => queue(async () => { checkTarget(target); return statusOf(target); }),
    enable: (target, reason) => queue(async () => {
      const d = checkTarget(target);
      if (!(await protectionOf(target))) {
        await ok('shield', shield('CreateProtection', { Name: protectionName(d), ResourceArn: target, Tags: [{ Key: 'breakwater:reason', Value: tagValue(reason) }] }),
          'create the protection', ['ResourceAlreadyExistsException']);
      }
      if (cfg.proactive_engagement) {
        const sub = await ok('shield', shield('DescribeSubscription'), 'describe the subscription (proactive engagement)');
        const st = (sub.json as { Subscription?: { ProactiveEngagementStatus?: string } } | null)?.Subscription?.ProactiveEngagementStatus;
        if (st !== 'ENABLED') await ok('shield', shield('EnableProactiveEngagement'), 'enable proactive engagement');
      }
      if (acl) await setRateRule(rateRuleName(d), true);
      return statusOf(target);
    }),
    disable: (target) => queue(async () => {
      const d = checkTarget(target);
      if (acl) await setRateRule(rateRuleName(d), false);
      const p = await protectionOf(target);
      if (p && p.Name === protectionName(d)) await ok('shield', shield('DeleteProtection', { ProtectionId: p.Id }), 'delete the protection', ['ResourceNotFoundException']);
      if (cfg.proactive_engagement && !(await otherOursLeft(target))) {
        await ok('shield', shield('DisableProactiveEngagement'), 'disable proactive engagement', ['InvalidOperationException']);
      }
      return statusOf(target);
    }),
  };
  return provider;
};
