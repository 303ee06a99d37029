// Commands from the server: pushed over the command stream the moment they are queued, and
// found in the agent's config (fetched at start, every few minutes and when an incident
// opens) in case the stream was down. Either way each id is handled once: checked against
// its typed schema, applied, acknowledged with status and error, and taken back when its TTL
// ends or the incident it was sent for resolves.
import { spawn } from 'node:child_process';
// typebox/schema's checker, not typebox/value: the latter loads every value operation (~11 MB resident).
import { Check } from 'typebox/schema';
import { COMMAND_PARAMS, type CommandType } from '@breakwater/contracts';
import type { AgentClient } from '../agent-client.ts';
import type { ManagementPath } from './management-path.ts';
import type { AppliedRule, FirewallExecutor } from './firewall-executor.ts';

export interface Pending {
  id: number | string;
  payload?: { type?: string; params?: Record<string, unknown> };
}

export interface CommandRunnerDeps {
  client: Pick<AgentClient, 'call'>;
  executor: Pick<FirewallExecutor, 'apply' | 'remove'> | null;
  allowRawCommands: boolean;
  /** Refuses blocks that would cut the agent off from its server. */
  managementPath?: Pick<ManagementPath, 'refusal'> | null;
  log: (msg: string) => void;
}

const OUTPUT_CAP = 64 * 1024;

function execArgv(argv: string[], timeoutS: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // No shell: argv[0] is the program, the rest its arguments, exactly as sent.
    const child = spawn(argv[0]!, argv.slice(1), { shell: false, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000 });
    let output = '';
    const take = (d: Buffer) => {
      if (output.length < OUTPUT_CAP) output += d.toString().slice(0, OUTPUT_CAP - output.length);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (e) => resolve({ code: null, output: e.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

export class CommandRunner {
  readonly #d: CommandRunnerDeps;
  readonly #seen = new Set<number>();
  readonly #unacked = new Map<number, { status: string; error: string | null }>();
  readonly #rules = new Map<number, { rule: AppliedRule; incident: string | null; timer: NodeJS.Timeout }>();
  /** Rules taken back while the server was away: told to it at the next poll that gets through. */
  readonly #released = new Map<number, string>();

  constructor(deps: CommandRunnerDeps) {
    this.#d = deps;
  }

  /** Fetches the config and handles any command not seen before. */
  async poll(): Promise<void> {
    const r = await this.#d.client.call<{ pending_commands?: Pending[] }>('GET', '/config');
    if (!r.ok) return;
    for (const [id, why] of [...this.#released]) {
      const a = await this.#d.client.call('POST', '/commands/ack', { command_id: id, status: 'released', error: why });
      if (a.ok || !a.retryable) this.#released.delete(id);
    }
    for (const c of r.body.pending_commands ?? []) await this.accept(c, 'poll');
  }

  /** Handles one command (pushed or polled) unless its id was handled already. */
  async accept(c: Pending, source: 'push' | 'poll'): Promise<void> {
    const id = Number(String(c.id).replace(/^cmd_/, ''));
    if (!Number.isInteger(id)) return;
    if (this.#seen.has(id)) {
      // Still offered by the server: our acknowledgement was lost. Send it again, never re-apply.
      const outcome = this.#unacked.get(id);
      if (outcome) await this.#ack(id, outcome);
      return;
    }
    this.#seen.add(id); // before any await: a push and a poll racing for one id apply it once
    await this.#ack(id, await this.#handle(id, c.payload ?? {}, source));
  }

  async #ack(id: number, outcome: { status: string; error: string | null }): Promise<void> {
    const r = await this.#d.client.call('POST', '/commands/ack', { command_id: id, ...outcome });
    if (r.ok || !r.retryable) {
      this.#unacked.delete(id);
      return;
    }
    if (!this.#unacked.has(id)) this.#d.log(`command ${id}: ${outcome.status}, acknowledgement failed (${r.status ?? r.message}); retried at the next poll`);
    this.#unacked.set(id, outcome);
  }

  /** Takes back every rule sent for this (server) incident. */
  async releaseIncident(incidentUuid: string): Promise<void> {
    for (const [id, r] of this.#rules) if (r.incident === incidentUuid) await this.#take(id, 'its incident resolved');
  }

  async stop(): Promise<void> {
    for (const id of [...this.#rules.keys()]) await this.#take(id, 'the agent stopped');
  }

  /** Takes back every rule (the failsafe); the server hears of each at the next poll. Resolves with how many. */
  async releaseAll(why: string): Promise<number> {
    const ids = [...this.#rules.keys()];
    for (const id of ids) {
      await this.#take(id, why);
      this.#released.set(id, why);
    }
    return ids.length;
  }

  get active(): number {
    return this.#rules.size;
  }

  async #handle(id: number, payload: { type?: string; params?: Record<string, unknown> }, source: string): Promise<{ status: string; error: string | null }> {
    const type = payload.type as CommandType | undefined;
    if (!type || !(type in COMMAND_PARAMS)) return { status: 'failed', error: `unknown command type ${JSON.stringify(payload.type)}` };
    const params: Record<string, unknown> = payload.params ?? {};
    if (!Check(COMMAND_PARAMS[type], params)) return { status: 'failed', error: `invalid params for ${type}` };
    if (type === 'exec') {
      if (!this.#d.allowRawCommands) return { status: 'rejected', error: 'raw commands are disabled in this agent\'s config (allow_raw_commands)' };
      const p = params as unknown as { argv: string[]; timeout?: number };
      const r = await execArgv(p.argv, p.timeout ?? 30);
      return r.code === 0 ? { status: 'applied', error: null } : { status: 'failed', error: `exit ${r.code}: ${r.output.slice(-500)}` };
    }
    if (type === 'revoke') {
      // Absent already (TTL ended, incident resolved, agent restarted): what revoke wants.
      await this.#take((params as { command_id: number }).command_id, `revoked by command ${id}`);
      return { status: 'applied', error: null };
    }
    const refused = await this.#d.managementPath?.refusal(type, params);
    if (refused) {
      this.#d.log(`command ${id} rejected: ${refused}`);
      return { status: 'rejected', error: refused };
    }
    if (!this.#d.executor) return { status: 'failed', error: 'no firewall on this agent (nftables unavailable)' };
    try {
      const rule = await this.#d.executor.apply(id, type, params as never);
      const timer = setTimeout(() => void this.#take(id, 'its TTL ended'), rule.ttlSeconds * 1000);
      timer.unref();
      const incident = payload.params?.incident;
      this.#rules.set(id, { rule, incident: typeof incident === 'string' ? incident.toLowerCase() : null, timer });
      this.#d.log(`command ${id} applied (${source}): ${type} ${JSON.stringify(params)}`);
      return { status: 'applied', error: null };
    } catch (err) {
      return { status: 'failed', error: (err as Error).message };
    }
  }

  async #take(id: number, why: string): Promise<void> {
    const r = this.#rules.get(id);
    if (!r) return;
    this.#rules.delete(id);
    clearTimeout(r.timer);
    try {
      await this.#d.executor?.remove(r.rule);
      this.#d.log(`command ${id} removed: ${why}`);
    } catch (err) {
      this.#d.log(`command ${id}: removal failed (${(err as Error).message})`);
    }
  }
}
