// Signed commands for the agent's unit tests, made the way the server makes them (an Ed25519
// key, the SignedCommandBody as JSON text, its signature). End-to-end tests use the real server.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { SignedCommandBody } from '@breakwater/contracts';
import type { Pending } from '../commands/command-runner.ts';

export interface TestSigner {
  /** Base64 SPKI, as enrolment hands it out. */
  publicKey: string;
  body(over: Partial<SignedCommandBody> & { command_id: number; type: string }): SignedCommandBody;
  /** A pending command as GET config lists it, signed over `body` (changed after signing when `tamper` is given). */
  pending(body: SignedCommandBody, tamper?: (text: string) => string): Pending;
}

export function testSigner(nodeUuid: string, now: () => number = Date.now): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    body: (over) => ({ v: 1, node_uuid: nodeUuid, params: {}, nonce: randomBytes(16).toString('hex'), issued_at: now(), expires_at: now() + 3_600_000, ...over }),
    pending(body, tamper) {
      const text = JSON.stringify(body);
      const signature = sign(null, Buffer.from(text), privateKey).toString('base64');
      return { id: body.command_id, payload: { type: body.type, params: body.params }, signed: { body: tamper ? tamper(text) : text, signature } };
    },
  };
}
