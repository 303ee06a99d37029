// The agent refuses, in its acknowledgement, any block that covers the address its server URL
// resolves to; everything else reaches the firewall as before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { testSigner } from '../testing/command-signing.ts';
import { ManagementPath } from '../firewall/management-path.ts';
import { CommandRunner } from './command-runner.ts';
import { CommandVerifier } from './command-verifier.ts';
import { NonceStore } from './nonce-store.ts';

const NODE = '4b0c6f7e-52a4-4c55-9d7e-0a3d3f6d9c01';
const dir = mkdtempSync(join(tmpdir(), 'bw-mgmt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const signer = testSigner(NODE);
const signed = (id: number, type: string, params: Record<string, unknown>) => signer.pending(signer.body({ command_id: id, type, params }));

function runnerWith(path: ManagementPath) {
  const acks: Record<string, unknown>[] = [];
  const applied: unknown[] = [];
  const runner = new CommandRunner({
    client: { call: async (_m: string, p: string, body?: unknown) => {
      if (p === '/commands/ack') acks.push(body as Record<string, unknown>);
      return { ok: true as const, body: {} as never };
    } },
    executor: {
      apply: async (id: number, type: string, params: unknown) => {
        applied.push({ id, type, params });
        return { undo: 'x', ttlSeconds: 600 };
      },
      remove: async () => undefined,
    },
    allowRawCommands: false,
    verifier: new CommandVerifier({ nodeUuid: NODE, nonces: new NonceStore(join(dir, `nonces-${Math.random()}`), Date.now), now: Date.now, publicKey: signer.publicKey }),
    managementPath: path,
    log: () => undefined,
  });
  return { runner, acks, applied };
}

describe('the agent keeps its own path to the server', () => {
  test('a block covering the server address (from a host name) is rejected with the reason; others are applied', async () => {
    let lookups = 0;
    const now = 1_000_000;
    const path = new ManagementPath({ serverUrl: 'https://bw.example.net:8443', now: () => now, resolve: async () => (lookups++, ['192.0.2.10', '2001:db8::10']) });
    const { runner, acks, applied } = runnerWith(path);
    await runner.accept(signed(1, 'block_prefix', { prefix: '192.0.2.0/24', ttl: 600 }), 'push');
    await runner.accept(signed(2, 'block_source', { address: '2001:db8::10' }), 'push');
    await runner.accept(signed(3, 'block_source', { address: '192.0.2.11' }), 'push');
    await runner.accept(signed(4, 'drop_port', { protocol: 'udp', port: 123 }), 'push');
    assert.deepEqual(acks.map((a) => [a.command_id, a.status]), [[1, 'rejected'], [2, 'rejected'], [3, 'applied'], [4, 'applied']]);
    assert.match(String(acks[0]!.error), /^192\.0\.2\.0\/24 covers 192\.0\.2\.10, the server's address \(bw\.example\.net\): the agent would lose its server$/);
    assert.deepEqual(applied.map((a) => (a as { id: number }).id), [3, 4]);
    assert.equal(lookups, 1, 'the name is looked up once per refresh period');
  });

  test('an IP-literal server URL needs no lookup; an unresolvable name refuses blocks rather than guess', async () => {
    const literal = new ManagementPath({ serverUrl: 'http://[2001:db8::1]:8080', now: () => 0, resolve: async () => assert.fail('no lookup') });
    assert.match(String(await literal.refusal('block_prefix', { prefix: '2001:db8::/32' })), /covers 2001:db8::1/);
    assert.equal(await literal.refusal('block_prefix', { prefix: '2001:db9::/32' }), null);
    const gone = new ManagementPath({ serverUrl: 'https://nowhere.invalid', now: () => 0, resolve: async () => { throw new Error('ENOTFOUND'); } });
    assert.match(String(await gone.refusal('block_source', { address: '198.51.100.1' })), /does not resolve/);
    assert.equal(await gone.refusal('rate_limit', { protocol: 'udp', port: 0, pps: 10 }), null, 'rules without an address are not about the path');
  });
});
