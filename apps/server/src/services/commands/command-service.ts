// Queuing typed commands for agents: the fleet API and the mitigation policy both come here,
// so every command is validated, stored and announced the same way. Listeners (the agent push
// channel) hear of each command after it is stored; the agent still finds it in GET config.
import { COMMAND_PARAMS, type CommandType } from '@breakwater/contracts';
import { commands, type CommandRow, type Db, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { badRequest } from '../../errors.ts';
import { validateValue } from '../../validation.ts';
import { CommandGuard } from './command-guard.ts';

export type CommandListener = (node: NodeRow, command: CommandRow) => void;

/** What a field agent shows for the command (command_text); the agent acts on the typed payload. */
export function describeCommand(type: CommandType, params: Record<string, unknown>): string {
  // params passed the type's schema: every value here is a string or a number
  const p = params as Record<string, string | number | string[] | undefined>;
  const ttl = p.ttl ?? 600;
  switch (type) {
    case 'block_source': return `block source ${String(p.address)} for ${ttl}s`;
    case 'block_prefix': return `block prefix ${String(p.prefix)} for ${ttl}s`;
    case 'drop_port': return `drop ${String(p.protocol)} port ${String(p.port)} for ${ttl}s`;
    case 'drop_protocol': return `drop ${String(p.protocol)} for ${ttl}s`;
    case 'rate_limit': return `rate-limit ${String(p.protocol)}${p.port ? ` port ${String(p.port)}` : ''} to ${String(p.pps)} pps for ${ttl}s`;
    case 'syn_protection': return `limit SYN to ${String(p.pps)} pps for ${ttl}s`;
    case 'revoke': return `remove the rule of command ${String(p.command_id)}`;
    case 'exec': return `exec ${(params.argv as string[]).join(' ')}`;
  }
}

/** Checks a command's params against its type; the message names the offending key. */
export function checkCommand(type: CommandType, params: Record<string, unknown>): void {
  const problem = validateValue(COMMAND_PARAMS[type], params, 'params');
  if (problem) throw badRequest(problem);
  if (type === 'block_prefix') {
    const [addr, len] = String(params.prefix).split('/');
    const max = String(addr).includes(':') ? 128 : 32;
    if (Number(len) > max) throw badRequest(`params.prefix: the length must be at most ${max}`);
  }
}

export class CommandService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #listeners = new Set<CommandListener>();
  /** Raw-command opt-in, allowlist, shortest prefix and the agent's management path. */
  readonly guard: CommandGuard;

  constructor(deps: { db: Db; clock: Clock; publicUrl?: string | null; resolve?: (host: string) => Promise<string[]> }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.guard = new CommandGuard({ db: deps.db, now: () => deps.clock.now(), publicUrl: deps.publicUrl ?? null, resolve: deps.resolve });
  }

  /** Hears of every command once it is stored; returns the unsubscribe function. */
  onQueued(listener: CommandListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async queue(node: NodeRow, type: CommandType, params: Record<string, unknown>, actor: string): Promise<CommandRow> {
    checkCommand(type, params);
    await this.guard.check(node, type, params);
    const now = this.#clock.now();
    const text = describeCommand(type, params);
    const row: Omit<CommandRow, 'id'> = {
      workspace_id: node.workspace_id, node_id: node.id, command_type: type, command_text: text, title: text,
      payload: JSON.stringify({ type, params }), status: 'pending', error: null, created_by: actor, created_at: now, acked_at: null,
      expires_at: now + 3_600_000, // an agent that has not fetched it within an hour must not act on it late
    };
    const id = await commands.insertCommand(this.#db, row);
    const stored: CommandRow = { id, ...row };
    for (const listener of this.#listeners) {
      try { listener(node, stored); } catch { /* a listener's failure must not undo a stored command */ }
    }
    return stored;
  }
}
