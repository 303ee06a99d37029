// One executor per command type (contracts' registry): a new type fails to compile until it is
// wired here. Programs run from argument vectors built of the typed, already checked params;
// only `shell` hands a command line to /bin/sh, and only when this agent's own config allows
// raw commands (`allow_raw_commands`, which the server can neither set nor see past).
import type { CommandType, FirewallCommandType } from '@breakwater/contracts';
import { runProcess, type ProcessResult } from './run-process.ts';
import type { CaptureControl } from './capture-control.ts';

export interface Outcome {
  status: 'applied' | 'failed' | 'rejected';
  error: string | null;
  exit_code?: number | null;
  output?: string | null;
  /** Runs once the outcome is acknowledged (agent_restart). */
  after?: () => void;
}

export interface ExecContext {
  id: number;
  params: Record<string, unknown>;
  /** The type's registry timeout, or the params' shorter one. */
  timeoutMs: number;
  allowRaw: boolean;
  firewall: {
    apply(type: FirewallCommandType, params: Record<string, unknown>): Promise<Outcome>;
    revoke(commandId: number, why: string): Promise<void>;
  };
  capture: CaptureControl | null;
  /** From the agent's config, never from the server. */
  upgradeArgv: readonly string[] | null;
  restart(): void;
  /** Fetches the server's config now; says what it found. */
  reload(): Promise<string>;
  /** The node's firewall profile (profile_apply / profile_rollback); absent where the agent has none. */
  profiles?: { apply(params: Record<string, unknown>): Promise<Outcome>; rollback(): Promise<Outcome> } | null;
}

export type Executor = (c: ExecContext) => Promise<Outcome>;

export function outcomeOf(r: ProcessResult, timeoutMs: number): Outcome {
  const base = { exit_code: r.exit_code, output: r.truncated ? `${r.output}\n[output truncated]` : r.output };
  if (r.spawnError) return { ...base, status: 'failed', error: `did not start: ${r.spawnError}` };
  if (r.timedOut) return { ...base, status: 'failed', error: `timed out after ${Math.round(timeoutMs / 1000)} s; killed` };
  return r.exit_code === 0 ? { ...base, status: 'applied', error: null } : { ...base, status: 'failed', error: `exit code ${r.exit_code}` };
}

const RAW_OFF = 'raw commands are disabled in this agent\'s config (allow_raw_commands); the server cannot turn them on';

const run = async (argv: string[], c: ExecContext) => outcomeOf(await runProcess(argv, { timeoutMs: c.timeoutMs }), c.timeoutMs);
const str = (v: unknown) => String(v);
const firewall = (type: FirewallCommandType): Executor => (c) => c.firewall.apply(type, c.params);

export const EXECUTORS: Record<CommandType, Executor> = {
  block_source: firewall('block_source'),
  block_prefix: firewall('block_prefix'),
  drop_port: firewall('drop_port'),
  drop_protocol: firewall('drop_protocol'),
  rate_limit: firewall('rate_limit'),
  syn_protection: firewall('syn_protection'),
  revoke: async (c) => {
    // Absent already (TTL ended, incident resolved, agent restarted): what revoke wants.
    await c.firewall.revoke(Number(c.params.command_id), `revoked by command ${c.id}`);
    return { status: 'applied', error: null };
  },
  exec: async (c) => (c.allowRaw ? run((c.params.argv as string[]).slice(), c) : { status: 'rejected', error: RAW_OFF }),
  shell: async (c) => (c.allowRaw ? run(['/bin/sh', '-c', str(c.params.command)], c) : { status: 'rejected', error: RAW_OFF }),
  // `--` ends the options: the unit (already limited to unit-name characters) is never read as one.
  service_status: (c) => run(['systemctl', 'status', '--no-pager', '--full', '--', str(c.params.unit)], c),
  service_restart: (c) => run(['systemctl', 'restart', '--', str(c.params.unit)], c),
  journal_tail: (c) => run(['journalctl', '--no-pager', '--output=short-iso', '-n', str(c.params.lines ?? 100), '-u', str(c.params.unit)], c),
  capture_start: async (c) => {
    if (!c.capture) return { status: 'failed', error: 'no capture on this agent' };
    const p = c.params as { duration?: number; max_packets?: number; host?: string; port?: number };
    return c.capture.start(c.id, { duration: p.duration ?? 60, maxPackets: p.max_packets ?? 100_000, host: p.host ?? null, port: p.port ?? null });
  },
  capture_stop: async (c) => (c.capture ? c.capture.stop() : { status: 'failed', error: 'no capture on this agent' }),
  agent_restart: async (c) => ({ status: 'applied', error: null, output: 'restarting after this acknowledgement', after: () => c.restart() }),
  agent_upgrade: async (c) => {
    if (!c.upgradeArgv || c.upgradeArgv.length === 0) return { status: 'rejected', error: 'agent_upgrade is not configured on this agent (upgrade_argv in its config)' };
    return run([...c.upgradeArgv, str(c.params.version)], c);
  },
  config_reload: async (c) => ({ status: 'applied', error: null, output: await c.reload() }),
  profile_apply: async (c) => (c.profiles ? c.profiles.apply(c.params) : { status: 'failed', error: 'this agent has no firewall for profiles (nft or iptables-restore)' }),
  profile_rollback: async (c) => (c.profiles ? c.profiles.rollback() : { status: 'failed', error: 'this agent has no firewall for profiles (nft or iptables-restore)' }),
};
