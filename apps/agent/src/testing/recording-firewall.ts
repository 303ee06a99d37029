// A FirewallExecutor that keeps its rules in memory and records every call: for tests of
// the agent that need no root or nftables. It checks commands exactly as nftables' does.
import { checkFirewallCommand, type CheckedCommand } from '../firewall/firewall-command.ts';
import type { AppliedRule, FirewallCommandType, FirewallExecutor, FirewallExecutorOptions, ManagementEndpoint } from '../firewall/firewall-executor.ts';

export class RecordingFirewall implements FirewallExecutor {
  readonly management: ManagementEndpoint[];
  /** The rules in force, in the order applied. */
  readonly rules: CheckedCommand[] = [];
  /** Every call, in order: `start`, `stop`, `apply bw-cmd-ID`, `remove bw-cmd-ID`. */
  readonly calls: string[] = [];
  started = false;

  constructor(o: FirewallExecutorOptions = {}) {
    this.management = o.management ?? [];
  }

  async start(): Promise<void> {
    this.calls.push('start');
    this.rules.length = 0;
    this.started = true;
  }

  async stop(): Promise<void> {
    this.calls.push('stop');
    this.rules.length = 0;
    this.started = false;
  }

  async apply<T extends FirewallCommandType>(commandId: number, type: T, params: Record<string, unknown>): Promise<AppliedRule> {
    const c = checkFirewallCommand(commandId, type, params);
    this.calls.push(`apply ${c.comment}`);
    this.rules.push(c);
    return { undo: { comment: c.comment }, ttlSeconds: c.ttl };
  }

  async remove(rule: AppliedRule): Promise<void> {
    const comment = typeof rule.undo === 'string' ? rule.undo : rule.undo.comment;
    this.calls.push(`remove ${comment}`);
    const i = this.rules.findIndex((r) => r.comment === comment);
    if (i >= 0) this.rules.splice(i, 1);
  }

  /** What it holds, as text (the contract suite looks for addresses and tags in it). */
  listing(): string {
    return JSON.stringify(this.rules);
  }
}
