// The agent's config file as a TypeBox schema: the one declaration of its keys, bounds and defaults.
// The agent itself never loads this (nor TypeBox): it checks the file against the plain copy in
// agent-config-schema.generated.ts (`node apps/agent/scripts/plain-schemas.ts` writes it; a test
// checks it is current) with contracts' validatePlainConfig.
import { Type } from 'typebox';
import { AGENT_DEFAULTS } from './agent-config.ts';

// Checked by contracts' validateConfig: an error reads "KEY must be WHAT IS ALLOWED, got VALUE", where
// a number's bounds and a boolean say it themselves and `allowed` says it for a string.
const int = (min: number, max: number, d: number) => Type.Integer({ minimum: min, maximum: max, default: d });
const flag = (d: boolean) => Type.Boolean({ default: d });
const absolute = (d: string) => Type.String({ pattern: '^/', default: d, allowed: 'an absolute path' });

/** The agent's config file, with its defaults. Its key order is the one "allowed: …" lists. */
export const AgentConfigSchema = Type.Object({
  server_url: Type.String({ pattern: '^https?://', allowed: 'an http:// or https:// URL' }),
  node_uuid: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', allowed: 'the node UUID from enrolment' }),
  // A credential: never repeated in an error.
  api_key: Type.String({ pattern: '^[0-9a-f]{64}$', allowed: 'the 64-hex node key from enrolment', writeOnly: true, echo: false }),
  /** The address protected here; defaults to the interface's address. */
  ip: Type.Optional(Type.String({ allowed: 'an IPv4 or IPv6 address' })),
  // Its keys are the detection engine's: checkDetectionConfig() validates them when the agent
  // starts, so that reading this file does not load the engine.
  detection: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { allowed: 'an object' })),
  interface: Type.String({ pattern: '^[A-Za-z0-9_.:@-]{1,15}$', default: AGENT_DEFAULTS.interface, allowed: 'an interface name (1-15 of A-Z a-z 0-9 _ . : @ -)' }),
  spool_dir: absolute(AGENT_DEFAULTS.spool_dir),
  pcap_dir: absolute(AGENT_DEFAULTS.pcap_dir),
  /** Packets kept before an attack starts, so a PCAP shows how it began. */
  pcap_ring_packets: int(0, 1_000_000, AGENT_DEFAULTS.pcap_ring_packets),
  /** Largest PCAP kept per incident (all its parts together). */
  pcap_max_bytes: int(65_536, 10 * 1024 ** 3, AGENT_DEFAULTS.pcap_max_bytes),
  /** A long attack's capture is cut into parts of at most this many seconds, each uploaded when it closes. */
  pcap_part_seconds: int(1, 86_400, AGENT_DEFAULTS.pcap_part_seconds),
  /** ... or of at most this many bytes, whichever comes first. */
  pcap_part_bytes: int(65_536, 10 * 1024 ** 3, AGENT_DEFAULTS.pcap_part_bytes),
  /** GET config (and pending commands) this often; commands normally arrive at once on the push stream. */
  config_poll_seconds: int(1, 86_400, AGENT_DEFAULTS.config_poll_seconds),
  /** Raw commands from the server (`shell`, and `exec`'s argument vectors) run only when true; the server cannot change it. */
  allow_raw_commands: flag(AGENT_DEFAULTS.allow_raw_commands),
  /** The agent's own traffic to the server is left out of capture. */
  exclude_server_traffic: flag(AGENT_DEFAULTS.exclude_server_traffic),
  /** Every firewall rule the agent applied is taken back when the server has not been reached for this long. */
  failsafe_release_seconds: int(5, 7 * 86_400, AGENT_DEFAULTS.failsafe_release_seconds),
  /** A plain http:// server_url to a host other than loopback is refused unless this is true (the node key would cross the network in clear). */
  allow_insecure_http: flag(AGENT_DEFAULTS.allow_insecure_http),
  /** Directories the fleet API may read and write files in and stream file logs from (none: off). The config, its key and the spool never, even inside one. */
  file_roots: Type.Optional(Type.Array(Type.String({ pattern: '^/', maxLength: 4096, allowed: 'an absolute path' }), { maxItems: 64, allowed: 'a list of absolute directory paths' })),
  /** Largest file the fleet API moves either way. */
  file_max_bytes: int(1, 10 * 1024 ** 3, AGENT_DEFAULTS.file_max_bytes),
  /** The server's command-signing key (Ed25519, base64 SPKI), pinned at enrolment: commands not signed by it are refused. */
  command_public_key: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{40,80}={0,2}$', allowed: 'the base64 command key from enrolment' })),
  /** agent_upgrade runs this program (argument vector, no shell) with the version as its last argument; absent: refused. */
  upgrade_argv: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 32, allowed: 'a list of strings: program and arguments' })),
  /** HTTP (layer 7) floods from access logs and the socket table; its keys are checked when the agent starts (http/http-config.ts). */
  http: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { allowed: 'an object' })),
  /** The firewall suite firewall profiles are applied with: auto (ufw or firewalld when the host runs it, else nftables, else iptables), nftables, iptables, ufw, firewalld, or off. */
  profile_suite: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('nftables'), Type.Literal('iptables'), Type.Literal('ufw'), Type.Literal('firewalld'), Type.Literal('off')], { allowed: 'auto, nftables, iptables, ufw, firewalld or off' })),
  /** Prometheus metrics of this agent on ADDR:PORT (GET /metrics, no credentials: keep it on loopback or a management address); absent: off. */
  metrics_listen: Type.Optional(Type.String({ pattern: '^\\[?[0-9A-Fa-f.:]+\\]?:[0-9]{1,5}$', allowed: 'ADDR:PORT with an IPv4 or IPv6 address (e.g. "127.0.0.1:9101")' })),
}, { additionalProperties: false });
