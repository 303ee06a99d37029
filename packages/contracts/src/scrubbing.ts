// Cloud scrubbing (full-api.md "Scrubbing"): the eight integration types, what a diversion can be
// doing, each type's config (secrets marked), and the words the scrubbing providers, the server's
// routes and the dashboard share. The providers themselves live in @breakwater/scrubbing.
import { Type, type Static, type TSchema } from 'typebox';
import { IsoTime } from './common.ts';

export const SCRUBBING_TYPES = [
  'cloudflare_magic_transit', 'ovh_mitigation', 'hetzner_mitigation', 'cloudflare_waf', 'digitalocean', 'vultr', 'aws_shield', 'linode',
] as const;
export type ScrubbingType = (typeof SCRUBBING_TYPES)[number];

/**
 * Where a diversion is, as the provider reports it (and, where it reports no progress, as its
 * documented timings say):
 * - `idle`: traffic takes its direct path; nothing of ours is on at the provider.
 * - `requested`: we asked, the provider has not acknowledged it yet (queued, or a retry is due).
 * - `propagating`: the provider took it, but documents minutes before it is in effect (Cloudflare
 *   advertises an on-demand prefix within 2–7 min): traffic may still take its direct path.
 * - `diverting`: in effect; traffic goes through the provider's scrubbing (or its nearest action).
 * - `withdrawing`: asked to stop; the provider documents minutes before traffic is back (~15 min
 *   for a Cloudflare prefix), so a new enable must not be read as "already idle".
 * - `failed`: the provider refused or its state is one we cannot act on; `detail` says why.
 */
export const DIVERSION_STATES = ['idle', 'requested', 'propagating', 'diverting', 'withdrawing', 'failed'] as const;
export type DiversionState = (typeof DIVERSION_STATES)[number];
/** States in which something of ours may be on at the provider (what withdraw and reconciliation look after). */
export const LIVE_DIVERSION_STATES = ['requested', 'propagating', 'diverting', 'withdrawing'] as const satisfies readonly DiversionState[];

/** The connection to the provider, from the last test or call. */
export const SCRUBBING_HEALTH = ['unknown', 'ok', 'auth_failed', 'rate_limited', 'unreachable', 'error'] as const;
export type ScrubbingHealth = (typeof SCRUBBING_HEALTH)[number];

/**
 * How enable acts. Only `bgp_advertisement` reroutes traffic through a scrubbing network; where a
 * provider offers no diversion switch, its type does the nearest action it documents and says so.
 */
export const SCRUBBING_MECHANISMS = [
  'bgp_advertisement', // Cloudflare Magic Transit: on-demand advertisement of a BYOIP prefix
  'forced_mitigation', // OVH: permanent (always-on) mitigation of one IP instead of automatic
  'edge_security_level', // Cloudflare WAF: the zone's security level (Under Attack Mode)
  'firewall_rules', // provider-side firewall in front of the server (Hetzner Robot, DigitalOcean, Linode, Vultr)
  'ddos_protection', // a provider's per-resource DDoS protection switch
  'shield_protection', // AWS Shield Advanced protection of a resource
] as const;
export type ScrubbingMechanism = (typeof SCRUBBING_MECHANISMS)[number];

/** What an enable names: a prefix or address of ours, or the provider's own object (a zone, a resource). */
export const SCRUBBING_TARGET_KINDS = ['prefix', 'ip', 'zone', 'resource'] as const;
export type ScrubbingTargetKind = (typeof SCRUBBING_TARGET_KINDS)[number];

export const ScrubbingCapabilities = Type.Object({
  /** True only when enable reroutes traffic through the provider's scrubbing. */
  diverts: Type.Boolean(),
  mechanism: Type.Enum(SCRUBBING_MECHANISMS),
  /** What enable does at the provider, in words (shown to operators). */
  action: Type.String(),
  target_kind: Type.Enum(SCRUBBING_TARGET_KINDS),
  /** Seconds the provider documents before an enable is in effect (0: at once). */
  advertise_seconds: Type.Integer({ minimum: 0 }),
  /** Seconds the provider documents before traffic is back on its direct path after a disable. */
  withdraw_seconds: Type.Integer({ minimum: 0 }),
  /** Where the provider documents this (the type's API pages). */
  docs: Type.Array(Type.String()),
});
export type ScrubbingCapabilities = Static<typeof ScrubbingCapabilities>;

/** A diversion's state at the provider, for one target. */
export const ScrubbingStatus = Type.Object({
  target: Type.String(),
  state: Type.Enum(DIVERSION_STATES),
  /** When the provider says it entered this state (or we asked), if known. */
  since: Type.Union([IsoTime, Type.Null()]),
  /** When the provider's documented propagation (or withdrawal) window ends, while in one. */
  settles_at: Type.Union([IsoTime, Type.Null()]),
  /** What the provider reports, in short sanitised words (never its raw body). */
  detail: Type.String(),
});
export type ScrubbingStatus = Static<typeof ScrubbingStatus>;

export const ScrubbingTestResult = Type.Object({
  ok: Type.Boolean(),
  latency_ms: Type.Number({ minimum: 0 }),
  health: Type.Enum(SCRUBBING_HEALTH),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type ScrubbingTestResult = Static<typeof ScrubbingTestResult>;

/**
 * Why a provider call failed. `config`: a setting is wrong (400 naming the key); `auth`: the
 * provider refused the credential; `rate_limited`: 429 beyond the retry bound (retry_after says
 * when); `timeout`/`unreachable`: no reply; `refused`: the provider answered no to this request
 * (4xx) and repeating it will not help; `provider`: a 5xx; `unsupported`: the type cannot do it.
 */
export const SCRUBBING_ERROR_KINDS = ['config', 'auth', 'rate_limited', 'timeout', 'unreachable', 'refused', 'provider', 'unsupported'] as const;
export type ScrubbingErrorKind = (typeof SCRUBBING_ERROR_KINDS)[number];

// ---- Each type's config. `secret: true` marks a credential: stored encrypted, masked on read,
// never echoed in a message (echo: false for the config validator).

/** A credential field: encrypted at rest, masked on read, never repeated in a message. */
export const SecretString = (opts: { minLength?: number; maxLength?: number; pattern?: string; allowed?: string; description?: string } = {}) =>
  Type.String({ minLength: 1, maxLength: 4096, ...opts, secret: true, echo: false });

const HEX32 = '^[0-9a-f]{32}$';
const ApiUrl = (dflt: string) => Type.Optional(Type.String({
  pattern: '^https?://', maxLength: 2048, allowed: `an http(s) URL of the provider's API (default ${dflt})`, description: `The API base URL, default ${dflt}`,
}));
const Cidr = Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', maxLength: 49, allowed: 'a CIDR prefix like 203.0.113.0/24' });
// TypeBox knows formats ipv4 and ipv6 (not 'ip'): a union of both, named as one.
const Ip = Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], { allowed: 'an IPv4 or IPv6 address' });
const obj = <P extends Record<string, TSchema>>(props: P) => Type.Object(props, { additionalProperties: false });
/** One of a few words (config-check names them all when another is given). */
const oneOf = <T extends string>(values: readonly T[], dflt: T) => Type.Optional(Type.Union(values.map((v) => Type.Literal(v)), { default: dflt }));

export const CloudflareMagicTransitConfig = obj({
  api_token: SecretString({ allowed: 'a Cloudflare API token with "IP Prefixes: BGP On Demand" edit permission' }),
  account_id: Type.String({ pattern: HEX32, allowed: 'a Cloudflare account id (32 hex digits)' }),
  /** The on-demand prefixes this integration may advertise; prefix_id skips the lookup by CIDR. */
  prefixes: Type.Array(obj({
    cidr: Cidr,
    prefix_id: Type.Optional(Type.String({ pattern: HEX32, allowed: 'a Cloudflare prefix id (32 hex digits)' })),
  }), { minItems: 1, maxItems: 256 }),
  api_url: ApiUrl('https://api.cloudflare.com/client/v4'),
});

export const CloudflareWafConfig = obj({
  api_token: SecretString({ allowed: 'a Cloudflare API token with "Zone Settings" edit permission' }),
  zone_id: Type.String({ pattern: HEX32, allowed: 'a Cloudflare zone id (32 hex digits)' }),
  /** What enable sets the zone's security level to. */
  attack_level: oneOf(['under_attack', 'high'], 'under_attack'),
  /** The level disable restores when the one before enable is unknown (e.g. enabled by another tool). */
  normal_level: oneOf(['off', 'essentially_off', 'low', 'medium', 'high'], 'medium'),
  /** The addresses this zone's origin serves: an attack on them is handled by this zone. */
  origin_addresses: Type.Optional(Type.Array(Type.Union([Cidr, Ip]), { maxItems: 256 })),
  api_url: ApiUrl('https://api.cloudflare.com/client/v4'),
});

export const OvhMitigationConfig = obj({
  endpoint: oneOf(['ovh-eu', 'ovh-ca', 'ovh-us'], 'ovh-eu'),
  application_key: Type.String({ minLength: 1, maxLength: 64, allowed: 'the OVH application key' }),
  application_secret: SecretString({ maxLength: 128, allowed: 'the OVH application secret' }),
  consumer_key: SecretString({ maxLength: 128, allowed: 'an OVH consumer key allowed GET/POST/DELETE on /ip/*' }),
  /** The IP blocks (as OVH names them, e.g. 203.0.113.0/24) whose addresses this integration may mitigate. */
  ip_blocks: Type.Array(Cidr, { minItems: 1, maxItems: 256 }),
  api_url: ApiUrl('the endpoint\'s, e.g. https://eu.api.ovh.com/1.0'),
});

export const HetznerMitigationConfig = obj({
  username: Type.String({ minLength: 1, maxLength: 128, allowed: 'the Robot webservice user name' }),
  password: SecretString({ maxLength: 256, allowed: 'the Robot webservice password' }),
  /** The dedicated servers' main IPs this integration may firewall. */
  server_ips: Type.Array(Ip, { minItems: 1, maxItems: 256 }),
  /** Each server's number by its main IP: Robot deprecates naming a firewall by the IP, so the number is used where given. */
  server_numbers: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1 }), { allowed: 'an object mapping a server\'s main IP to its Robot server number', allowedKeys: 'one of server_ips' })),
  /** Destination ports that stay open while under attack (TCP); everything else inbound is discarded. */
  allow_tcp_ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 8, default: [22, 80, 443] })),
  api_url: ApiUrl('https://robot-ws.your-server.de'),
});

// Targets of the firewall types are the firewall (a 'resource'); of vultr the instance id; of aws the resource ARN.
const Covered = Type.Array(Type.Union([Cidr, Ip]), { minItems: 1, maxItems: 256, allowed: 'IPv4/IPv6 addresses or CIDR prefixes' });
const SourceList = Type.Optional(Type.Array(Type.Union([Cidr, Ip]), { maxItems: 200, default: [] }));

export const DigitaloceanConfig = obj({
  api_token: SecretString({ allowed: 'a DigitalOcean personal access token with firewall read/write scope' }),
  firewall_id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', allowed: 'a DigitalOcean Cloud Firewall id (UUID)' }),
  /** The public addresses of the Droplets this firewall is applied to. */
  addresses: Covered,
  /** The inbound rules that admit everyone (0.0.0.0/0, ::/0) in normal times; under attack they admit only allowed_sources. */
  public_rules: Type.Array(obj({ protocol: Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('icmp')]), ports: Type.String({ pattern: '^(0|all|[0-9]{1,5}(-[0-9]{1,5})?)$', allowed: 'a port, a range like 8000-9000, or 0 (all)' }) }), { minItems: 1, maxItems: 50 }),
  allowed_sources: SourceList,
  api_url: ApiUrl('https://api.digitalocean.com/v2'),
});

export const VultrConfig = obj({
  api_key: SecretString({ allowed: 'a Vultr API key' }),
  /** Each instance and the addresses it holds; enable turns on the instance's DDoS Protection. */
  instances: Type.Array(obj({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', allowed: 'a Vultr instance id (UUID)' }), addresses: Covered }), { minItems: 1, maxItems: 256 }),
  api_url: ApiUrl('https://api.vultr.com/v2'),
});

export const AwsShieldConfig = obj({
  access_key_id: Type.String({ pattern: '^[A-Z0-9]{16,128}$', allowed: 'an AWS access key id' }),
  secret_access_key: SecretString({ maxLength: 256, allowed: 'the AWS secret access key' }),
  session_token: Type.Optional(SecretString({ maxLength: 4096, allowed: 'an AWS session token (temporary credentials)' })),
  /** Each protectable resource (Elastic IP allocation, ALB, CloudFront, Global Accelerator, Route 53 zone) and the addresses it serves. */
  resources: Type.Array(obj({ arn: Type.String({ pattern: '^arn:aws[a-z-]*:', maxLength: 2048, allowed: 'an AWS resource ARN' }), addresses: Covered }), { minItems: 1, maxItems: 256 }),
  /** Also turn on Shield Response Team proactive engagement while diverting (needs emergency contacts on the subscription). */
  proactive_engagement: Type.Optional(Type.Boolean({ default: false })),
  /** A WAFv2 web ACL (associated with the resources) that gets a rate-based block rule while diverting. */
  web_acl: Type.Optional(obj({
    name: Type.String({ pattern: '^[\\w-]{1,128}$', allowed: 'the web ACL name' }),
    id: Type.String({ pattern: '^[0-9a-f-]{36}$', allowed: 'the web ACL id (UUID)' }),
    scope: oneOf(['REGIONAL', 'CLOUDFRONT'], 'REGIONAL'),
    region: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', default: 'us-east-1', allowed: 'an AWS region like eu-west-1' })),
    rate_limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 2000000000, default: 1000, allowed: 'requests per 5 minutes per client IP, 10 or more' })),
    api_url: ApiUrl('https://wafv2.REGION.amazonaws.com'),
  })),
  api_url: ApiUrl('https://shield.us-east-1.amazonaws.com'),
});

export const LinodeConfig = obj({
  api_token: SecretString({ allowed: 'a Linode personal access token with Firewalls read/write' }),
  firewall_id: Type.Integer({ minimum: 1, allowed: 'a Linode Cloud Firewall id' }),
  /** The public addresses of the Linodes this firewall is assigned to. */
  addresses: Covered,
  /** Ports narrowed to allowed_sources while diverting (Linode drops the rest with DROP rules placed first). */
  public_rules: Type.Array(obj({ protocol: Type.Union([Type.Literal('TCP'), Type.Literal('UDP'), Type.Literal('ICMP')]), ports: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}(-[0-9]{1,5})?(, ?[0-9]{1,5}(-[0-9]{1,5})?)*$', allowed: 'ports like "80, 443" or "1000-2000"' })) }), { minItems: 1, maxItems: 10 }),
  allowed_sources: SourceList,
  api_url: ApiUrl('https://api.linode.com/v4'),
});

/** Each type's config; a type added to SCRUBBING_TYPES fails to compile until it has one. */
export const SCRUBBING_CONFIG_SCHEMAS = {
  cloudflare_magic_transit: CloudflareMagicTransitConfig,
  ovh_mitigation: OvhMitigationConfig,
  hetzner_mitigation: HetznerMitigationConfig,
  cloudflare_waf: CloudflareWafConfig,
  digitalocean: DigitaloceanConfig,
  vultr: VultrConfig,
  aws_shield: AwsShieldConfig,
  linode: LinodeConfig,
} as const satisfies Record<ScrubbingType, TSchema>;
export type ScrubbingConfigOf<T extends ScrubbingType> = Static<(typeof SCRUBBING_CONFIG_SCHEMAS)[T]>;

/** The config keys of a type that hold credentials (marked `secret: true` in its schema). */
export function scrubbingSecretKeys(type: ScrubbingType): string[] {
  const props = (SCRUBBING_CONFIG_SCHEMAS[type] as { properties?: Record<string, { secret?: boolean }> }).properties ?? {};
  return Object.entries(props).filter(([, s]) => s.secret === true).map(([k]) => k);
}
