// AWS Shield Advanced (API version 2016-06-02) and WAFv2 (2019-07-29): AWS JSON 1.1 protocol —
// every call is POST / with Content-Type application/x-amz-json-1.1, X-Amz-Target
// <service prefix>.<Operation>, a JSON body, and a SigV4 signature (./sigv4.ts). Errors come back
// as {"__type": "ResourceNotFoundException", "message": "..."} (the type may carry a
// "namespace#" prefix). Shield Advanced's API is served from us-east-1 only.
export const DOCS = [
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_CreateProtection.html',
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_DescribeProtection.html',
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_DeleteProtection.html',
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_EnableProactiveEngagement.html',
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_DescribeSubscription.html',
  'https://docs.aws.amazon.com/waf/latest/APIReference/API_GetWebACL.html',
  'https://docs.aws.amazon.com/waf/latest/APIReference/API_UpdateWebACL.html',
  'https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html',
  'https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/CommonErrors.html',
];
export const DEFAULT_SHIELD_URL = 'https://shield.us-east-1.amazonaws.com';
export const SHIELD_REGION = 'us-east-1';
export const JSON_11 = 'application/x-amz-json-1.1';
export const SHIELD_TARGET = 'AWSShield_20160616';
export const WAF_TARGET = 'AWSWAF_20190729';
/** Names of what Breakwater creates (protections, WAF rules): how status tells ours from the operator's. */
export const NAME_PREFIX = 'breakwater-';

export type ShieldOp = 'CreateProtection' | 'DescribeProtection' | 'DeleteProtection' | 'ListProtections' | 'DescribeSubscription' | 'EnableProactiveEngagement' | 'DisableProactiveEngagement';
export type WafOp = 'GetWebACL' | 'UpdateWebACL';

export interface AwsCall { target: string; body: Record<string, unknown> }
export const shield = (op: ShieldOp, body: Record<string, unknown> = {}): AwsCall => ({ target: `${SHIELD_TARGET}.${op}`, body });
export const waf = (op: WafOp, body: Record<string, unknown>): AwsCall => ({ target: `${WAF_TARGET}.${op}`, body });

export interface Protection { Id: string; Name: string; ResourceArn: string; ProtectionArn?: string }

/** Protection names: 1–128 of [ a-zA-Z0-9_.:-]… we use a digest of the ARN so one resource has one name. */
export const protectionName = (arnDigest: string) => `${NAME_PREFIX}${arnDigest}`;
export const rateRuleName = (arnDigest: string) => `${NAME_PREFIX}rate-${arnDigest}`;

export function parseProtection(json: unknown): Protection | null {
  const p = (json as { Protection?: Partial<Protection> } | null)?.Protection;
  return p && typeof p.Id === 'string' && typeof p.ResourceArn === 'string' ? { Id: p.Id, Name: typeof p.Name === 'string' ? p.Name : '', ResourceArn: p.ResourceArn, ProtectionArn: p.ProtectionArn } : null;
}

/** The error type without its namespace ("com.amazonaws.shield#ResourceNotFoundException" -> "ResourceNotFoundException"). */
export function awsError(json: unknown): { type: string; message: string } | null {
  const o = json as { __type?: unknown; message?: unknown; Message?: unknown } | null;
  if (!o || typeof o.__type !== 'string') return null;
  const msg = typeof o.message === 'string' ? o.message : typeof o.Message === 'string' ? o.Message : '';
  return { type: o.__type.slice(o.__type.lastIndexOf('#') + 1), message: msg };
}

/** Error types that mean the credential is wrong or lacks permission. */
export const AUTH_ERRORS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignature', 'MissingAuthenticationTokenException', 'AccessDeniedException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied']);
/** Error types that mean "slow down" (AWS documents them as HTTP 400 throttling; some services send 429). */
export const THROTTLE_ERRORS = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

export interface WafRule {
  Name: string;
  Priority: number;
  Statement: Record<string, unknown>;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  VisibilityConfig: { SampledRequestsEnabled: boolean; CloudWatchMetricsEnabled: boolean; MetricName: string };
  [k: string]: unknown;
}

/** A rate-based rule: block a client IP past `limit` requests in a 5-minute window. */
export function rateRule(name: string, priority: number, limit: number): WafRule {
  return {
    Name: name,
    Priority: priority,
    Statement: { RateBasedStatement: { Limit: limit, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } },
    Action: { Block: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name.replace(/[^\w-]/g, '-').slice(0, 128) },
  };
}

/** Ahead of the operator's rules when a priority below theirs is free, else after them. */
export function freePriority(rules: readonly WafRule[]): number {
  if (rules.length === 0) return 0;
  const min = Math.min(...rules.map((r) => r.Priority));
  return min > 0 ? min - 1 : Math.max(...rules.map((r) => r.Priority)) + 1;
}

/** The fields UpdateWebACL takes back from GetWebACL's WebACL (the others — ARN, Capacity, … — it refuses). */
export const UPDATE_FIELDS = ['DefaultAction', 'Description', 'VisibilityConfig', 'CustomResponseBodies', 'CaptchaConfig', 'ChallengeConfig', 'TokenDomains', 'AssociationConfig', 'DataProtectionConfig', 'OnSourceDDoSProtectionConfig'] as const;
