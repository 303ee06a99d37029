// What a fleet command must never do, checked before it is stored (the fleet API and the
// mitigation policy both queue through CommandService, so both pass here):
// - each type's risk tier decides the role it needs (checkCommandCaller); raw execution (shell,
//   exec) also needs the agent's own opt-in, which it reports in its heartbeat (`allow_raw_commands`);
// - a block never covers an allowlisted address, is never shorter than SHORTEST_BLOCK, and
//   never covers the agent's management path: the node's own address, the address it reaches
//   the server from and at, the server addresses the agent resolved from its server URL, and
//   the host of the server's public URL. The agent refuses the last kind itself too.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { fromJson, mitigation as repo, type Db, type NodeRow } from '@breakwater/db';
import { COMMAND_REGISTRY, ROLE_COMMAND_RISKS, isRawCommand, parsePrefix, prefixesOverlap, type CommandType, type IpPrefix } from '@breakwater/contracts';
import type { Principal } from '../../auth/principal.ts';
import { badRequest, conflict, forbidden } from '../../errors.ts';

/** The shortest prefix a node may be told to block, per family: /8 of IPv4, /32 of IPv6 (an ISP's allocation). */
export const SHORTEST_BLOCK: Record<4 | 6, number> = { 4: 8, 6: 32 };

/** How long the public URL's resolved addresses are trusted. */
const RESOLVE_TTL_MS = 5 * 60_000;
const MAX_REPORTED = 16;

/** "::ffff:192.0.2.1" (a v4 peer on a dual-stack socket) is 192.0.2.1 to a firewall. */
export function unmapAddress(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return m ? m[1]! : addr;
}

/**
 * Who may send what (the registry's risk tiers): viewers nothing, operators low and medium risk,
 * admins everything; a high-risk command never through a deploy token whatever its role.
 */
export function checkCommandCaller(p: Principal, type: CommandType): void {
  const risk = COMMAND_REGISTRY[type].risk;
  const what = isRawCommand(type) ? ` (raw execution on the agent)` : ` (${risk} risk)`;
  if (p.kind === 'node') throw forbidden(`type: ${type} cannot be sent with a node key`);
  if (risk === 'high' && p.kind === 'deploy') throw forbidden(`type: ${type} is never accepted from a deploy token; use an admin API token or session`);
  if (!ROLE_COMMAND_RISKS[p.role].includes(risk)) {
    const allowed = ROLE_COMMAND_RISKS[p.role];
    throw forbidden(`type: ${type}${what} needs the ${risk === 'high' ? 'admin' : 'operator'} role; the ${p.role} role may send ${allowed.length ? `${allowed.join(' and ')} risk commands` : 'no commands'}`);
  }
}

export interface CommandGuardDeps {
  db: Db;
  now: () => number;
  /** The server's public URL: its host is never blocked on a node. */
  publicUrl?: string | null;
  /** Host name lookup (all addresses); dns.lookup by default. */
  resolve?: (host: string) => Promise<string[]>;
}

interface Protected {
  prefix: IpPrefix;
  text: string;
  what: string;
}

export class CommandGuard {
  readonly #d: CommandGuardDeps;
  /** Per node: the addresses of its last push-stream connection (node side, server side). */
  readonly #paths = new Map<number, { node: string; server: string }>();
  #publicHost: { at: number; addrs: string[] } | null = null;

  constructor(deps: CommandGuardDeps) {
    this.#d = deps;
  }

  /** The addresses a node's agent connection uses, as this server sees them. */
  notePath(nodeId: number, nodeAddress: string | undefined, serverAddress: string | undefined): void {
    if (nodeAddress && serverAddress) this.#paths.set(nodeId, { node: unmapAddress(nodeAddress), server: unmapAddress(serverAddress) });
  }

  async check(node: NodeRow, type: string, params: Record<string, unknown>): Promise<void> {
    if (isRawCommand(type)) {
      // A courtesy check, not the lock: the agent refuses raw commands itself unless its own config allows them.
      const info = fromJson<Record<string, unknown>>(node.agent_info, {});
      if (info.allow_raw_commands !== true) {
        throw conflict(`type: ${type} refused: the agent of node ${node.name} has not opted in to raw commands (allow_raw_commands is not true in what it last reported; set it in the agent's config and restart the agent)`, 'raw_commands_disabled');
      }
      return;
    }
    if (type !== 'block_source' && type !== 'block_prefix') return;
    const key = type === 'block_source' ? 'params.address' : 'params.prefix';
    const text = String(type === 'block_source' ? params.address : params.prefix);
    const target = parsePrefix(text);
    if (!target) throw badRequest(`${key}: must be an IP address${type === 'block_prefix' ? ' with a prefix length' : ''}`);
    const shortest = SHORTEST_BLOCK[target.family];
    if (target.len < shortest) throw badRequest(`${key}: ${text} is shorter than /${shortest}, the shortest IPv${target.family} prefix a node may block`);
    for (const entry of await repo.listAllow(this.#d.db, node.workspace_id, node.id)) {
      const allowed = parsePrefix(entry.ip_address);
      if (allowed && prefixesOverlap(allowed, target)) throw conflict(`${key}: ${text} covers allowlist entry ${entry.ip_address}; allowlisted addresses are never blocked`, 'allowlisted');
    }
    for (const p of await this.#protected(node)) {
      if (prefixesOverlap(p.prefix, target)) throw conflict(`${key}: ${text} covers ${p.text}, ${p.what}; the agent's path to the server is never blocked`, 'management_path');
    }
  }

  async #protected(node: NodeRow): Promise<Protected[]> {
    const out: Protected[] = [];
    const add = (addr: unknown, what: string) => {
      if (typeof addr !== 'string') return;
      const text = unmapAddress(addr);
      const prefix = isIP(text) ? parsePrefix(text) : null;
      if (prefix) out.push({ prefix, text, what });
    };
    add(node.ip, `the address of node ${node.name}`);
    const path = this.#paths.get(node.id);
    if (path) {
      add(path.node, `the address node ${node.name} reaches the server from`);
      add(path.server, `the server's address as node ${node.name} reaches it`);
    }
    const reported = fromJson<{ server_addresses?: unknown }>(node.agent_info, {}).server_addresses;
    if (Array.isArray(reported)) for (const a of reported.slice(0, MAX_REPORTED)) add(a, `the server's address as the agent of node ${node.name} resolved it`);
    for (const a of await this.#publicAddresses()) add(a, "the server's public URL host");
    return out;
  }

  async #publicAddresses(): Promise<string[]> {
    if (!this.#d.publicUrl) return [];
    let host: string;
    try {
      host = new URL(this.#d.publicUrl).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return [];
    }
    if (isIP(host)) return [host];
    const now = this.#d.now();
    if (this.#publicHost && now - this.#publicHost.at < RESOLVE_TTL_MS) return this.#publicHost.addrs;
    const resolve = this.#d.resolve ?? (async (h: string) => {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
      return (await Promise.race([lookup(h, { all: true }), timeout])).map((a) => a.address);
    });
    // A failed lookup keeps what was known: the check must not fail open because DNS hiccupped.
    const addrs = await resolve(host).catch(() => this.#publicHost?.addrs ?? []);
    this.#publicHost = { at: now, addrs };
    return addrs;
  }
}
