// The fleet command registry's plain part (no TypeBox): for every command type, a risk tier deciding
// who may send it and the longest it may run on the agent. The agent reads it at run time (see
// plain.ts); COMMAND_REGISTRY (fleet-commands.ts) joins it with each type's params schema.
import type { CommandType } from './commands.ts';

export const COMMAND_RISKS = ['low', 'medium', 'high'] as const;
export type CommandRisk = (typeof COMMAND_RISKS)[number];

/** A command type's risk tier, time limit and summary; COMMAND_REGISTRY (fleet-commands.ts) adds its params schema. */
export interface CommandLimits {
  risk: CommandRisk;
  /** Seconds the agent gives the command before it is killed or given up (≤ 60). */
  timeout: number;
  summary: string;
}

const spec = (risk: CommandRisk, timeout: number, summary: string): CommandLimits => ({ risk, timeout, summary });

export const COMMAND_LIMITS: Record<CommandType, CommandLimits> = {
  block_source: spec('medium', 15, 'Drop traffic from one address'),
  block_prefix: spec('medium', 15, 'Drop traffic from a prefix'),
  drop_port: spec('medium', 15, 'Drop traffic to a TCP or UDP port'),
  drop_protocol: spec('medium', 15, 'Drop a whole protocol'),
  rate_limit: spec('medium', 15, 'Rate-limit a protocol (and port)'),
  syn_protection: spec('medium', 15, 'Limit TCP SYNs per second'),
  revoke: spec('medium', 15, 'Take back the rule of an earlier command'),
  exec: spec('high', 60, 'Run a program (argument vector, no shell); needs the agent\'s allow_raw_commands'),
  shell: spec('high', 60, 'Run a command line with /bin/sh; needs the agent\'s allow_raw_commands'),
  service_status: spec('low', 10, 'systemctl status of a unit'),
  service_restart: spec('medium', 60, 'systemctl restart of a unit'),
  journal_tail: spec('low', 15, 'Last lines of a unit\'s journal'),
  capture_start: spec('medium', 10, 'Start a packet capture on the agent\'s interface'),
  capture_stop: spec('low', 15, 'Stop the running packet capture'),
  agent_restart: spec('medium', 10, 'Restart the agent process'),
  agent_upgrade: spec('high', 60, 'Upgrade the agent with its configured upgrade_argv'),
  config_reload: spec('low', 10, 'Fetch the server config now and re-check the local config file'),
  profile_apply: spec('medium', 60, 'Apply a firewall profile in its own table or chain'),
  profile_rollback: spec('medium', 60, 'Roll the firewall profile back to what was there before'),
};

/** What each role may send: viewers nothing, operators low and medium, admins everything. */
export const ROLE_COMMAND_RISKS: Record<'viewer' | 'operator' | 'admin', readonly CommandRisk[]> = {
  viewer: [],
  operator: ['low', 'medium'],
  admin: ['low', 'medium', 'high'],
};

/** The types that run whatever the operator typed: refused by an agent whose own config does not allow raw commands. */
export const RAW_COMMAND_TYPES = ['shell', 'exec'] as const satisfies readonly CommandType[];
export const isRawCommand = (t: string): boolean => (RAW_COMMAND_TYPES as readonly string[]).includes(t);

/** The result an agent acknowledges with, beside status and error. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
