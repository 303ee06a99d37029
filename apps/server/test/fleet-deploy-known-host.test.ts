// A host key recorded by an earlier deploy (trust on first use) holds later deploys to it: when the
// host presents another key, the deploy is refused before authentication. The "host" is an SSH
// server on loopback (ssh2's) whose host key the test swaps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { sqliteBackend } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

function keygen(dir: string, name: string) {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', f]);
  return { priv: readFileSync(f, 'utf8'), fingerprint: execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`]).toString().split(' ')[1]! };
}

/** An SSH server that accepts no login at all: enough to present a host key. */
function sshServer(hostKey: string, port: number): Promise<{ server: ssh2.Server; port: number; logins: number }> {
  const state = { logins: 0 };
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => {
      state.logins++;
      ctx.reject();
    });
    client.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, get logins() { return state.logins; } })));
}

describe('deploy holds a host to the key recorded for it', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await startTestServer(sqliteBackend, { outbound: { deploy: ['loopback'] } });
    dir = mkdtempSync(join(tmpdir(), 'bw-known-'));
    const user = keygen(dir, 'user');
    assert.equal((await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'ops', private_key: user.priv } })).status, 200);
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first use records the key; a later deploy to a host presenting another key is refused before it logs in', async () => {
    const first = keygen(dir, 'host1');
    const second = keygen(dir, 'host2');
    const a = await sshServer(first.priv, 0);
    const body = { host: '127.0.0.1', ssh_port: a.port, ssh_user: 'root', ssh_key: 'ops', label: 'known-1' };
    const tofu = await t.request('POST', '/api/agents/deploy', { body: { ...body, trust_on_first_use: true } });
    assert.equal(errorCode(tofu), 'ssh_failed', 'login refused by this server, after the key was accepted');
    assert.equal(a.logins > 0, true);
    const known = (await t.request('GET', '/api/agents/known-hosts')).body;
    assert.deepEqual(known.map((k: { port: number; fingerprint: string; trust: string }) => [k.port, k.fingerprint, k.trust]), [[a.port, first.fingerprint, 'tofu']]);
    await new Promise<void>((r) => a.server.close(() => r()));

    // Same address and port, another key (a reinstalled host, or someone in between).
    const b = await sshServer(second.priv, a.port);
    try {
      for (const over of [{}, { trust_on_first_use: true }]) {
        const r = await t.request('POST', '/api/agents/deploy', { body: { ...body, ...over } });
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.equal(errorCode(r), 'host_key_mismatch');
        assert.match(r.body.error.message, new RegExp(`is ${second.fingerprint.replace(/[+/]/g, '\\$&')}, not the recorded ${first.fingerprint.replace(/[+/]/g, '\\$&')}`));
      }
      assert.equal(b.logins, 0, 'never tried to log in');
      const kept = (await t.request('GET', '/api/agents/known-hosts')).body;
      assert.equal(kept[0].fingerprint, first.fingerprint, 'the record is not replaced by the new key');
      // The operator checks the host and pins its new key: accepted (and recorded as pinned).
      const pinned = await t.request('POST', '/api/agents/deploy', { body: { ...body, host_key_fingerprint: second.fingerprint } });
      assert.equal(errorCode(pinned), 'ssh_failed');
      assert.ok(b.logins > 0);
      const now = (await t.request('GET', '/api/agents/known-hosts')).body;
      assert.deepEqual([now[0].fingerprint, now[0].trust], [second.fingerprint, 'pinned']);
    } finally {
      await new Promise<void>((r) => b.server.close(() => r()));
    }
  });
});
