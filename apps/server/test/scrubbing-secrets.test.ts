// Credentials of scrubbing integrations never leave the server: `breakwater server` runs at log
// level trace against a local OVH API whose error bodies echo the request (headers included, as
// some proxies do); every reply and every log line is searched for the application secret and the
// consumer keys, right and wrong, after creating, reading, updating, testing, failing, announcing,
// polling and withdrawing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonReply } from '@breakwater/outbound/testing';
import { startOvhFake } from '@breakwater/scrubbing/testing';
import { waitFor } from '@breakwater/testing';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'breakwater.mjs');

test('no scrubbing credential appears in any reply or log line, whatever the provider sends back', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-scrub-secrets-'));
  const ovh = await startOvhFake({ blocks: ['198.51.100.0/24'], settleMs: 0, clock: { now: () => Date.now(), advance: () => undefined } });
  let server: ChildProcess | null = null;
  let log = '';
  try {
    server = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dir, '--log-level', 'trace', '--outbound-allow', 'scrubbing.ovh_mitigation=loopback'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const url = await waitFor('server listening', () => /listening on (http\S+)/.exec(log)?.[1], 30_000);
    const token = /API token:\s+(\S+)/.exec(log)![1]!;
    const replies: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      replies.push(text);
      return { status: r.status, body: JSON.parse(text) };
    };
    const wrongConsumer = 'ck-wrong-0123456789abcdef0123456789';
    const config = { application_key: ovh.applicationKey, application_secret: ovh.applicationSecret, consumer_key: ovh.consumerKey, ip_blocks: ['198.51.100.0/24'], api_url: ovh.apiUrl };
    const c = await call('POST', '/api/v1/scrubbing', { integration_type: 'ovh_mitigation', name: 'ovh', config });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const id = c.body.data.id;
    await call('GET', '/api/v1/scrubbing');
    await call('PUT', `/api/v1/scrubbing/${id}`, { integration_type: 'ovh_mitigation', name: 'ovh', config: c.body.data.config });
    assert.equal((await call('POST', `/api/v1/scrubbing/${id}/test`, {})).body.data.ok, true, 'the masked secrets were kept');
    // A wrong consumer key: OVH's 403 body echoes the request headers.
    await call('PATCH', `/api/v1/scrubbing/${id}`, { config: { consumer_key: wrongConsumer } });
    const bad = await call('POST', `/api/v1/scrubbing/${id}/test`, {});
    assert.equal(bad.body.data.ok, false);
    const refused = await call('POST', `/api/v1/scrubbing/${id}/announce`, { target: '198.51.100.7' });
    assert.equal(refused.body.data?.state ?? refused.body.error?.code, 'failed');
    await call('PATCH', `/api/v1/scrubbing/${id}`, { config: { consumer_key: ovh.consumerKey } });
    // A 500 whose body is the request, headers and all, then the diversion goes through.
    ovh.script(jsonReply(500, { message: 'Internal error', echo: { headers: { 'x-ovh-consumer': ovh.consumerKey, secret: ovh.applicationSecret } } }));
    const a = await call('POST', `/api/v1/scrubbing/${id}/announce`, { target: '198.51.100.8', reason: 'secrets test' });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    await waitFor('diverting at OVH', async () => (await call('GET', `/api/v1/scrubbing/${id}/status`)).body.data.provider.some((s: any) => s.target === '198.51.100.8' && s.state !== 'idle'), 30_000, 200);
    await call('GET', `/api/v1/scrubbing/${id}/history`);
    await call('POST', `/api/v1/scrubbing/${id}/withdraw`, { force: true });
    await call('DELETE', `/api/v1/scrubbing/${id}`);

    for (const secret of [ovh.applicationSecret, ovh.consumerKey, wrongConsumer]) {
      for (const r of replies) assert.ok(!r.includes(secret), `a reply carries a credential: ${r.slice(0, 300)}`);
      assert.ok(!log.includes(secret), 'the log carries a credential');
    }
    // Stored sealed too (SQLite file): the secrets are not in it in clear.
    for (const f of ['breakwater.db', 'breakwater.db-wal'].filter((x) => existsSync(join(dir, x)))) {
      const bytes = readFileSync(join(dir, f));
      for (const secret of [ovh.applicationSecret, ovh.consumerKey]) assert.equal(bytes.indexOf(secret), -1, `stored in clear in ${f}`);
    }
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await ovh.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
