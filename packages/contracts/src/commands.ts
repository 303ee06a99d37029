// Commands an operator (or the mitigation policy) sends an agent: typed firewall intents and
// fleet operations, never shell text assembled by the server. Each type's params schema is
// here; its risk tier, timeout and who may send it are in fleet-commands.ts. `shell` and `exec`
// run only on agents whose own config allows it (`allow_raw_commands`), and only from an admin.
import { Type, type Static, type TSchema } from 'typebox';
import { COMMAND_STATUSES } from './statuses.ts';
import { FIREWALL_SUITES } from './profiles.ts';

const Ttl = Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 600, description: 'Seconds until the rule is removed' }));
const Incident = Type.Optional(Type.String({ format: 'uuid', description: 'Remove the rule when this incident resolves' }));
const P = <T extends Record<string, TSchema>>(props: T) => Type.Object({ ...props, ttl: Ttl, incident: Incident }, { additionalProperties: false });
const O = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });
/** A systemd unit name: never starts with '-', so it is never read as an option of systemctl or journalctl. */
const Unit = Type.String({ pattern: '^[A-Za-z0-9@_:][A-Za-z0-9@._:-]{0,127}$', description: 'systemd unit, e.g. nginx or nginx.service' });
/** Seconds a process may run before it is killed; no command runs longer than 60 s. */
const Timeout = Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 30, description: 'Seconds before the process is killed (at most 60)' }));

export const COMMAND_PARAMS = {
  block_source: P({ address: Type.String({ format: 'ip' }) }),
  block_prefix: P({ prefix: Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', maxLength: 49 }) }),
  drop_port: P({ protocol: Type.Enum(['tcp', 'udp']), port: Type.Integer({ minimum: 1, maximum: 65535 }) }),
  drop_protocol: P({ protocol: Type.Enum(['udp', 'icmp', 'icmpv6', 'gre', 'esp', 'sctp']) }),
  rate_limit: P({
    protocol: Type.Enum(['tcp', 'udp', 'icmp']), port: Type.Integer({ minimum: 0, maximum: 65535 }), pps: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    per_source: Type.Optional(Type.Boolean({ description: 'Limit each source address on its own (an nftables meter / hashlimit per source IP) instead of all together' })),
  }),
  syn_protection: P({ pps: Type.Integer({ minimum: 1, maximum: 100_000_000 }) }),
  /** Takes back a rule an earlier command applied (a mitigation rule withdrawn by hand). */
  revoke: Type.Object({ command_id: Type.Integer({ minimum: 1, description: 'The number of the command whose rule is removed' }) }, { additionalProperties: false }),
  /** An argument vector run without a shell (kept from before `shell`; the same opt-in and role). */
  exec: O({ argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 64 }), timeout: Timeout }),
  /** The reference's `shell`: a command line run by /bin/sh -c on the agent, only when the agent's config allows it. */
  shell: O({ command: Type.String({ minLength: 1, maxLength: 4096, description: 'Command line, run by /bin/sh -c' }), timeout: Timeout }),
  service_status: O({ unit: Unit }),
  service_restart: O({ unit: Unit }),
  journal_tail: O({ unit: Unit, lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Last lines of the unit\'s journal' })) }),
  /** A packet capture on the agent's interface into its pcap_dir, filtered by typed values only. */
  capture_start: O({
    duration: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'Seconds to capture' })),
    max_packets: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, default: 100_000 })),
    host: Type.Optional(Type.String({ format: 'ip', description: 'Only packets from or to this address' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Only packets from or to this port' })),
  }),
  capture_stop: O({}),
  agent_restart: O({}),
  /** Runs the agent's own upgrade_argv (from its config, never from the server) with the version as last argument. */
  agent_upgrade: O({ version: Type.String({ pattern: '^[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,6}(-[0-9A-Za-z.]{1,32})?$', description: 'Version to install, e.g. 1.4.0' }) }),
  /** Re-reads the server's config (thresholds, pending commands) and checks the local config file. */
  config_reload: O({}),
  /** A firewall profile in its own table or chain: rules the server checked, parsed again by the agent (no shell). */
  profile_apply: O({
    profile_id: Type.String({ maxLength: 64 }),
    suite: Type.Enum([...FIREWALL_SUITES]),
    rules: Type.Array(Type.Object({ cmd: Type.String({ maxLength: 1024 }), title: Type.String({ maxLength: 200 }), reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }), { maxItems: 400 }),
    allowlist: Type.Array(Type.String({ maxLength: 49 }), { maxItems: 10_000, description: 'Addresses and prefixes accepted before every profile rule' }),
  }),
  /** Back to the firewall as it was before the last profile_apply. */
  profile_rollback: O({}),
} as const;
export type CommandType = keyof typeof COMMAND_PARAMS;
export const COMMAND_TYPES = Object.keys(COMMAND_PARAMS) as CommandType[];
export type CommandParams<T extends CommandType> = Static<(typeof COMMAND_PARAMS)[T]>;

export const CommandBody = Type.Object(
  { type: Type.Enum(COMMAND_TYPES), params: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
export type CommandBody = Static<typeof CommandBody>;

/** The firewall intents: what the mitigation policy may queue, and what field agents get as iptables text. */
export const FIREWALL_COMMAND_TYPES = ['block_source', 'block_prefix', 'drop_port', 'drop_protocol', 'rate_limit', 'syn_protection'] as const satisfies readonly CommandType[];
export type FirewallCommandType = (typeof FIREWALL_COMMAND_TYPES)[number];
export const isFirewallCommand = (t: string): t is FirewallCommandType => (FIREWALL_COMMAND_TYPES as readonly string[]).includes(t);

export const CommandQueued = Type.Object({ command_id: Type.String(), status: Type.String() });

export const CommandInfo = Type.Object({
  command_id: Type.String(),
  type: Type.String(),
  params: Type.Unknown(),
  title: Type.String(),
  status: Type.String({ description: `${COMMAND_STATUSES.join(' | ')}; other words an agent acknowledges with are stored as sent` }),
  error: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  acked_at: Type.Union([Type.String(), Type.Null()]),
  risk: Type.String({ description: 'low | medium | high' }),
  exit_code: Type.Union([Type.Integer(), Type.Null()]),
  output: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String(), Type.Null()]),
});
export type CommandInfo = Static<typeof CommandInfo>;
