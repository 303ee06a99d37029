// Reading an operator's private key (ssh2's parser: OpenSSH, PEM, PPK) and naming keys the way
// OpenSSH does: SHA256 fingerprints of the public blob, base64 without padding.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { badRequest } from '../../errors.ts';

export function sshFingerprint(publicBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

export interface ParsedPrivateKey {
  keyType: string;
  publicKey: string;
  fingerprint: string;
}

/** Checks a private key (and its passphrase) as a deploy will use it; a 400 naming the field otherwise. */
export function parsePrivateKey(text: string, passphrase: string | undefined): ParsedPrivateKey {
  const parsed = ssh2.utils.parseKey(text, passphrase);
  if (parsed instanceof Error) {
    const m = parsed.message;
    if (/passphrase|encrypted/i.test(m)) {
      throw badRequest(passphrase === undefined
        ? 'private_key: is encrypted; send its passphrase too'
        : 'passphrase: does not decrypt private_key');
    }
    throw badRequest('private_key: must be an OpenSSH or PEM private key (ed25519, ecdsa or rsa)');
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) throw badRequest('private_key: must be a private key, not a public one');
  const blob = key.getPublicSSH();
  return { keyType: key.type, publicKey: `${key.type} ${blob.toString('base64')}`, fingerprint: sshFingerprint(blob) };
}
