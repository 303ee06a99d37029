// Commands from the server: pushed over the command stream the moment they are queued, and
// found in the agent's config (fetched at start, every few minutes and when an incident
// opens) in case the stream was down. Either way each id is handled once: its signature, its
// address (this agent), its expiry and its nonce checked (a refusal is acknowledged with its
// reason), then its params against the type's schema, then run by the type's executor within
// the registry's timeout, and acknowledged with status, error, exit code and capped output.
// Firewall rules are taken back when their TTL ends or the incident they were sent for resolves.
// Params are checked against plain copies of their schemas (contracts' schema-check.ts): the agent
// does not load TypeBox (~23 MB resident).
import { COMMAND_LIMITS, COMMAND_PARAMS_PLAIN, schemaCheck } from '@breakwater/contracts/plain';
import type { CommandType, FirewallCommandType, SignedCommand } from '@breakwater/contracts';
import type { AgentClient } from '@breakwater/uplink';
import type { ManagementPath } from '../firewall/management-path.ts';
import type { AppliedRule, FirewallExecutor } from '../firewall/firewall-executor.ts';
import type { CaptureControl } from './capture-control.ts';
import type { CommandVerifier } from './command-verifier.ts';
import { EXECUTORS, type ExecContext, type Outcome } from './executors.ts';

export interface Pending {
  id: number | string;
  payload?: { type?: string; params?: Record<string, unknown> };
  signed?: SignedCommand;
}

export interface CommandRunnerDeps {
  client: Pick<AgentClient, 'call'>;
  executor: Pick<FirewallExecutor, 'apply' | 'remove'> | null;
  allowRawCommands: boolean;
  verifier: CommandVerifier;
  /** Called with the server's command key when none is pinned yet (agents enrolled before pinning): pins it once, or not. */
  pinFirst?: (publicKey: string) => boolean;
  /** Refuses blocks that would cut the agent off from its server. */
  managementPath?: Pick<ManagementPath, 'refusal'> | null;
  capture?: CaptureControl | null;
  upgradeArgv?: readonly string[] | null;
  /** Firewall profiles (profile_apply / profile_rollback), when the node has a suite for them. */
  profiles?: ExecContext['profiles'];
  restart?: () => void;
  log: (msg: string) => void;
}

type Ack = Omit<Outcome, 'after'>;

export class CommandRunner {
  readonly #d: CommandRunnerDeps;
  readonly #seen = new Set<number>();
  readonly #unacked = new Map<number, Ack>();
  readonly #rules = new Map<number, { rule: AppliedRule; incident: string | null; timer: NodeJS.Timeout }>();
  /** Rules taken back while the server was away: told to it at the next poll that gets through. */
  readonly #released = new Map<number, string>();

  constructor(deps: CommandRunnerDeps) {
    this.#d = deps;
  }

  /** Fetches the config and handles any command not seen before. Returns how many were pending. */
  async poll(): Promise<number> {
    const r = await this.#d.client.call<{ pending_commands?: Pending[]; command_public_key?: string }>('GET', '/config');
    if (!r.ok) return 0;
    if (!this.#d.verifier.pinned && typeof r.body.command_public_key === 'string') this.#d.pinFirst?.(r.body.command_public_key);
    for (const [id, why] of [...this.#released]) {
      const a = await this.#d.client.call('POST', '/commands/ack', { command_id: id, status: 'released', error: why });
      if (a.ok || !a.retryable) this.#released.delete(id);
    }
    const pending = r.body.pending_commands ?? [];
    for (const c of pending) await this.accept(c, 'poll');
    return pending.length;
  }

  /** Handles one command (pushed or polled) unless its id was handled already. */
  async accept(c: Pending, source: 'push' | 'poll'): Promise<void> {
    const id = Number(String(c.id).replace(/^cmd_/, ''));
    if (!Number.isInteger(id) || id < 1) return;
    if (this.#seen.has(id)) {
      // Still offered by the server: our acknowledgement was lost. Send it again, never re-run.
      const outcome = this.#unacked.get(id);
      if (outcome) await this.#ack(id, outcome);
      return;
    }
    this.#seen.add(id); // before any await: a push and a poll racing for one id run it once
    // Pushed before the first config fetch pinned the key (an agent enrolled before pinning): fetch it first.
    if (!this.#d.verifier.pinned && this.#d.pinFirst) {
      const r = await this.#d.client.call<{ command_public_key?: string }>('GET', '/config');
      if (r.ok && typeof r.body.command_public_key === 'string') this.#d.pinFirst(r.body.command_public_key);
    }
    const v = this.#d.verifier.accept(id, c.signed);
    if (!v.ok) {
      this.#d.log(`command ${id} refused (${source}): ${v.message}`);
      await this.#ack(id, { status: 'rejected', error: v.message });
      return;
    }
    const { after, ...outcome } = await this.#handle(id, v.body.type, v.body.params, source);
    await this.#ack(id, outcome);
    after?.();
  }

  async #ack(id: number, outcome: Ack): Promise<void> {
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
    await this.#d.capture?.stop();
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

  async #handle(id: number, typeText: string, params: Record<string, unknown>, source: string): Promise<Outcome> {
    if (!Object.hasOwn(COMMAND_LIMITS, typeText)) return { status: 'failed', error: `unknown command type ${JSON.stringify(typeText)}` };
    const type = typeText as CommandType;
    if (!schemaCheck(COMMAND_PARAMS_PLAIN[type], params)) return { status: 'failed', error: `invalid params for ${type}` };
    const asked = (params as { timeout?: unknown }).timeout;
    const limitS = Math.min(COMMAND_LIMITS[type].timeout, typeof asked === 'number' ? asked : Infinity);
    const timeoutMs = limitS * 1000;
    const ctx: ExecContext = {
      id, params, timeoutMs, allowRaw: this.#d.allowRawCommands,
      firewall: { apply: (t, p) => this.#apply(id, t, p, source), revoke: (cid, why) => this.#take(cid, why) },
      capture: this.#d.capture ?? null,
      upgradeArgv: this.#d.upgradeArgv ?? null,
      profiles: this.#d.profiles ?? null,
      restart: this.#d.restart ?? (() => this.#d.log('agent_restart: no restart hook in this agent')),
      reload: async () => `config fetched: ${await this.poll()} pending command(s)`,
    };
    // Programs are killed at the timeout themselves; this bounds every other executor too.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Outcome>((res) => {
      timer = setTimeout(() => res({ status: 'failed', error: `timed out after ${limitS} s` }), timeoutMs + 2000);
    });
    try {
      return await Promise.race([EXECUTORS[type](ctx), late]);
    } catch (err) {
      return { status: 'failed', error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  async #apply(id: number, type: FirewallCommandType, params: Record<string, unknown>, source: string): Promise<Outcome> {
    const refused = await this.#d.managementPath?.refusal(type, params);
    if (refused) {
      this.#d.log(`command ${id} rejected: ${refused}`);
      return { status: 'rejected', error: refused };
    }
    if (!this.#d.executor) return { status: 'failed', error: 'no firewall on this agent (nftables unavailable)' };
    const rule = await this.#d.executor.apply(id, type, params as never);
    const timer = setTimeout(() => void this.#take(id, 'its TTL ended'), rule.ttlSeconds * 1000);
    timer.unref();
    const incident = params.incident;
    this.#rules.set(id, { rule, incident: typeof incident === 'string' ? incident.toLowerCase() : null, timer });
    this.#d.log(`command ${id} applied (${source}): ${type} ${JSON.stringify(params)}`);
    return { status: 'applied', error: null };
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
