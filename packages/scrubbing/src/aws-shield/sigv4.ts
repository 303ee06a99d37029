// AWS Signature Version 4, written here with node:crypto, for the JSON (POST /) APIs this
// integration calls: Shield Advanced and WAFv2.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//   1. canonical request: METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n hex(sha256(body))
//   2. string to sign:   AWS4-HMAC-SHA256 \n amz-date \n date/region/service/aws4_request \n hex(sha256(canonical request))
//   3. signing key:      HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
//   4. signature:        hex(HMAC(signing key, string to sign)), sent in the Authorization header.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS) also carry a session token, sent as X-Amz-Security-Token. */
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  url: string;
  /** Headers to sign besides host and x-amz-date (content-type, x-amz-target, …). */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  /** ms since the epoch: the clock's, so tests never depend on the calendar. */
  now: number;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** 20150830T123600Z */
export function amzDate(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX upper case. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Each path segment encoded twice: AWS's rule for every service but S3 (the paths here are "/"). */
export function canonicalUri(pathname: string): string {
  if (pathname === '' || pathname === '/') return '/';
  return pathname.split('/').map((seg) => uriEncode(uriEncode(decodeURIComponent(seg)))).join('/');
}

export function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`).join('&');
}

/** Lower-case names, sorted; values trimmed with inner runs of spaces made one. */
export function canonicalHeaders(headers: Record<string, string>): { text: string; signed: string } {
  const entries = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { text: entries.map(([k, v]) => `${k}:${v}\n`).join(''), signed: entries.map(([k]) => k).join(';') };
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export interface Signed {
  /** Every header to send (host excluded: the HTTP client sets it from the URL). */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export function signRequest(input: SignInput, creds: AwsCredentials): Signed {
  const u = new URL(input.url);
  const stamp = amzDate(input.now);
  const date = stamp.slice(0, 8);
  const toSign: Record<string, string> = { ...input.headers, host: u.host, 'x-amz-date': stamp };
  if (creds.sessionToken) toSign['x-amz-security-token'] = creds.sessionToken;
  const ch = canonicalHeaders(toSign);
  const canonicalRequest = [input.method.toUpperCase(), canonicalUri(u.pathname), canonicalQuery(u.searchParams), ch.text, ch.signed, sha256Hex(input.body)].join('\n');
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = [ALGORITHM, stamp, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, date, input.region, input.service)).update(stringToSign, 'utf8').digest('hex');
  const { host: _host, ...rest } = toSign;
  return {
    headers: { ...rest, authorization: `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${ch.signed}, Signature=${signature}` },
    canonicalRequest,
    stringToSign,
    signature,
  };
}
