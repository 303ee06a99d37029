// Command rows on the wire: as the agent reads a pending one (GET agent/config and the push
// stream share this shape), and as the fleet API's history shows it.
import { isFirewallCommand, type CommandInfo } from '@breakwater/contracts';
import { fromJson, type CommandRow } from '@breakwater/db';
import { iso, isoOrNull } from '../present.ts';
import { iptablesText } from './iptables-text.ts';

/**
 * A pending command: the reference's `{id, command}`, the field agents' `{command_type,
 * command_text, title}` (a firewall intent as an iptables-restore document, anything else as
 * its own type with a description), and Breakwater's own agent's typed `payload` with the
 * `signed` text it verifies before acting.
 */
export function presentPendingCommand(c: CommandRow) {
  const payload = fromJson<{ type?: string; params?: Record<string, unknown> }>(c.payload, {});
  const field = payload.type && isFirewallCommand(payload.type) ? iptablesText(c.id, payload.type, payload.params ?? {}) : null;
  return {
    id: c.id,
    command: field?.command_text ?? c.command_text,
    command_type: field?.command_type ?? c.command_type,
    command_text: field?.command_text ?? c.command_text,
    title: c.title,
    payload,
    ...(c.signed_body && c.signature ? { signed: { body: c.signed_body, signature: c.signature } } : {}),
    created_at: iso(c.created_at),
  };
}

/** A command in the history; one its agent never fetched before it expired shows as `expired` (it will never run: the agent would refuse it). */
export function presentCommandInfo(c: CommandRow, now: number): CommandInfo {
  const p = fromJson<{ params?: unknown }>(c.payload, {});
  const expired = c.status === 'pending' && c.expires_at !== null && c.expires_at <= now;
  return {
    command_id: `cmd_${c.id}`, type: c.command_type, params: p.params ?? null, title: c.title, status: expired ? 'expired' : c.status, error: c.error,
    created_by: c.created_by, created_at: iso(c.created_at), acked_at: isoOrNull(c.acked_at),
    risk: c.risk ?? 'medium', exit_code: c.exit_code, output: c.output, expires_at: isoOrNull(c.expires_at),
  };
}
