// Checks a signed command before anything of it is acted on: signed by the pinned workspace key
// (Ed25519 over the exact JSON text), for this command id, addressed to this agent, not expired,
// and with a nonce never seen here. Refusals name their reason first (contracts'
// COMMAND_REFUSALS), so the server stores why.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CommandRefusal, SignedCommand, SignedCommandBody } from '@breakwater/contracts';
import type { NonceStore } from './nonce-store.ts';

export type Verdict = { ok: true; body: SignedCommandBody } | { ok: false; refusal: CommandRefusal; message: string };

/** A pinned key as the server hands it out (base64 SPKI DER), or null when it is not an Ed25519 key. */
export function parsePublicKey(text: string): KeyObject | null {
  try {
    const k = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return k.asymmetricKeyType === 'ed25519' ? k : null;
  } catch {
    return null;
  }
}

const refuse = (refusal: CommandRefusal, message: string): Verdict => ({ ok: false, refusal, message: `${refusal}: ${message}` });

export class CommandVerifier {
  readonly #nodeUuid: string;
  readonly #nonces: NonceStore;
  readonly #now: () => number;
  #key: KeyObject | null = null;

  constructor(o: { nodeUuid: string; nonces: NonceStore; now: () => number; publicKey?: string | null }) {
    this.#nodeUuid = o.nodeUuid.toLowerCase();
    this.#nonces = o.nonces;
    this.#now = o.now;
    if (o.publicKey) this.pin(o.publicKey);
  }

  get pinned(): boolean {
    return this.#key !== null;
  }

  /** Pins the key (false when it is not a valid Ed25519 public key). */
  pin(publicKey: string): boolean {
    const k = parsePublicKey(publicKey);
    if (k) this.#key = k;
    return k !== null;
  }

  /** Verifies without recording the nonce; `accept` records it. */
  check(commandId: number, signed: SignedCommand | undefined | null): Verdict {
    if (!this.#key) return refuse('no_pinned_key', 'this agent has no command key pinned; it runs no command until it has one');
    if (!signed || typeof signed.body !== 'string' || typeof signed.signature !== 'string') return refuse('unsigned', `command ${commandId} carries no signature`);
    const sig = Buffer.from(signed.signature, 'base64');
    if (sig.length !== 64 || !verify(null, Buffer.from(signed.body, 'utf8'), this.#key, sig)) return refuse('bad_signature', `command ${commandId}: the signature does not match the pinned key`);
    let b: SignedCommandBody;
    try {
      b = JSON.parse(signed.body) as SignedCommandBody;
    } catch {
      return refuse('malformed', `command ${commandId}: the signed body is not JSON`);
    }
    if (b.v !== 1 || !Number.isInteger(b.command_id) || typeof b.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(b.nonce) || !Number.isInteger(b.expires_at) || typeof b.type !== 'string' || !b.params || typeof b.params !== 'object') {
      return refuse('malformed', `command ${commandId}: the signed body lacks v, command_id, type, params, nonce or expires_at`);
    }
    if (b.command_id !== commandId) return refuse('replayed', `command ${commandId} carries the signature of command ${b.command_id}`);
    if (String(b.node_uuid).toLowerCase() !== this.#nodeUuid) return refuse('wrong_agent', `command ${commandId} is addressed to agent ${String(b.node_uuid)}, not this one (${this.#nodeUuid})`);
    const now = this.#now();
    if (b.expires_at <= now) return refuse('expired', `command ${commandId} expired at ${new Date(b.expires_at).toISOString()} (now ${new Date(now).toISOString()})`);
    if (this.#nonces.has(b.nonce)) return refuse('replayed', `command ${commandId}: nonce ${b.nonce} was used before`);
    return { ok: true, body: b };
  }

  /** check(), then the nonce is recorded (on disk) so the same command is never accepted twice. */
  accept(commandId: number, signed: SignedCommand | undefined | null): Verdict {
    const v = this.check(commandId, signed);
    if (v.ok) this.#nonces.add(v.body.nonce, v.body.expires_at);
    return v;
  }
}
