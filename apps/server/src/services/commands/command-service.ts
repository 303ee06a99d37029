// Queuing typed commands for agents: the fleet API and the mitigation policy both come here,
// so every command is validated, stored, signed and announced the same way. Listeners (the
// agent push channel) hear of each command once it is signed; the agent still finds it in GET
// config.
import { COMMAND_PARAMS, COMMAND_REGISTRY, type CommandType } from '@breakwater/contracts';
import { commands, type CommandRow, type Db, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { badRequest } from '../../errors.ts';
import { validateValue } from '../../validation.ts';
import { CommandGuard } from './command-guard.ts';
import { CommandSigner } from './command-signer.ts';

/** How long a queued command may wait for its agent: after that the agent refuses it (and the server stops offering it). */
export const COMMAND_DELIVERY_MS = 3_600_000;

/** remote: the command was queued on another replica (relayed over the cluster bus). */
export type CommandListener = (node: NodeRow, command: CommandRow, remote?: boolean) => void;

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
    case 'shell': return `shell: ${String(p.command)}`;
    case 'service_status': return `status of ${String(p.unit)}`;
    case 'service_restart': return `restart ${String(p.unit)}`;
    case 'journal_tail': return `last ${String(p.lines ?? 100)} journal lines of ${String(p.unit)}`;
    case 'capture_start': return `capture ${String(p.duration ?? 60)}s${p.host ? ` host ${String(p.host)}` : ''}${p.port ? ` port ${String(p.port)}` : ''}`;
    case 'capture_stop': return 'stop the capture';
    case 'agent_restart': return 'restart the agent';
    case 'agent_upgrade': return `upgrade the agent to ${String(p.version)}`;
    case 'config_reload': return 'reload the config';
    case 'profile_apply': return `apply firewall profile ${String(p.profile_id)} (${String(p.suite)}, ${(params.rules as unknown[]).length} rules)`;
    case 'profile_rollback': return 'roll back the firewall profile';
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
  /** The workspace's Ed25519 key that signs every command. */
  readonly signer: CommandSigner;

  constructor(deps: { db: Db; clock: Clock; publicUrl?: string | null; resolve?: (host: string) => Promise<string[]> }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.guard = new CommandGuard({ db: deps.db, now: () => deps.clock.now(), publicUrl: deps.publicUrl ?? null, resolve: deps.resolve });
    this.signer = new CommandSigner({ db: deps.db, now: () => deps.clock.now() });
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
    const expires = now + COMMAND_DELIVERY_MS; // an agent that has not fetched it within an hour must not act on it late
    const row = {
      workspace_id: node.workspace_id, node_id: node.id, command_type: type, command_text: text, title: text,
      payload: JSON.stringify({ type, params }), status: 'pending', error: null, created_by: actor, created_at: now, acked_at: null,
      expires_at: expires, risk: COMMAND_REGISTRY[type].risk, exit_code: null, output: null,
    };
    // The key is made (or loaded) first; the command's id is part of what is signed, so insert
    // and signature share a transaction: no poll ever sees the command unsigned.
    await this.signer.publicKey(node.workspace_id);
    const stored = await this.#db.transaction().execute(async (trx) => {
      const id = await commands.insertCommand(trx, { ...row, nonce: null, signed_body: null, signature: null });
      const signed = await this.signer.sign(node.workspace_id, { command_id: id, node_uuid: node.uuid, type, params, expires_at: expires });
      const sig = { nonce: signed.nonce, signed_body: signed.body, signature: signed.signature, expires_at: expires };
      await commands.setSignature(trx, id, sig);
      return { id, ...row, ...sig } satisfies CommandRow;
    });
    this.announce(node, stored);
    return stored;
  }

  /** Tells the listeners of a stored command (queued here, or on another replica when `remote`). */
  announce(node: NodeRow, command: CommandRow, remote = false): void {
    for (const listener of this.#listeners) {
      try { listener(node, command, remote); } catch { /* a listener's failure must not undo a stored command */ }
    }
  }
}
