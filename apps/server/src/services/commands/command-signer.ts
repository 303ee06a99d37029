// Signs every command the server sends an agent. One Ed25519 key pair per workspace, made the
// first time it is needed (private half sealed by the secret box at rest); agents pin its
// public half at enrolment (POST /api/deploy's x-breakwater-command-key header) or, enrolled before,
// on their first config fetch. The agent then refuses anything not signed by it, not
// addressed to itself, expired, or carrying a nonce it has seen.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { SignedCommand, SignedCommandBody } from '@breakwater/contracts';
import { commands, type Db } from '@breakwater/db';

interface Pair {
  publicKey: string;
  privateKey: KeyObject;
}

/** The public key as agents pin it: base64 of its SPKI DER encoding. */
export function publicKeyText(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

export class CommandSigner {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #pairs = new Map<string, Promise<Pair>>();

  constructor(deps: { db: Db; now: () => number }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  /** The workspace's public key (made on first use). */
  async publicKey(workspaceId: string): Promise<string> {
    return (await this.#pair(workspaceId)).publicKey;
  }

  /** A fresh nonce and the signature over the body's exact JSON text. */
  async sign(workspaceId: string, fields: Omit<SignedCommandBody, 'v' | 'nonce' | 'issued_at'>): Promise<SignedCommand & { nonce: string }> {
    const pair = await this.#pair(workspaceId);
    const nonce = randomBytes(16).toString('hex');
    const body: SignedCommandBody = { v: 1, ...fields, nonce, issued_at: this.#now() };
    const text = JSON.stringify(body);
    return { body: text, signature: sign(null, Buffer.from(text, 'utf8'), pair.privateKey).toString('base64'), nonce };
  }

  #pair(workspaceId: string): Promise<Pair> {
    let p = this.#pairs.get(workspaceId);
    if (!p) {
      p = this.#load(workspaceId);
      // A failed load (database away) is retried next time, not remembered.
      p.catch(() => this.#pairs.delete(workspaceId));
      this.#pairs.set(workspaceId, p);
    }
    return p;
  }

  async #load(workspaceId: string): Promise<Pair> {
    let row = await commands.getCommandKey(this.#db, workspaceId);
    if (!row) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      row = await commands.putCommandKey(this.#db, {
        workspace_id: workspaceId, public_key: publicKeyText(publicKey),
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), created_at: this.#now(),
      });
    }
    const privateKey = createPrivateKey(row.private_key);
    // The stored public half must be the private half's: a row edited by hand signs nothing.
    if (publicKeyText(createPublicKey(privateKey)) !== row.public_key) throw new Error(`command key of workspace ${workspaceId}: public and private halves do not match`);
    return { publicKey: row.public_key, privateKey };
  }
}
