// Channel deliveries go through the outbound policy and show only a status and a short reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannel } from './registry.ts';
import { notificationFor } from './testing/fixtures.ts';

let server: Server;
let base = '';
let hits = 0;
before(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/leaky') { res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal</h1><pre>AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG</pre>'); return; }
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such route\u202E', internal: 'db password hunter2' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const ctx = { delivery_id: 'dlv-1', attempt: 1 };
const deps = { now: Date.now, timeoutMs: 2000 };

test('metadata, link-local, loopback and private destinations are refused before any request, as bad config', async () => {
  const at = hits;
  for (const url of ['http://169.254.169.254/latest/meta-data/iam/', 'http://[fe80::1]/x', `${base}/hook`, 'http://10.0.0.9/hook', 'http://metadata.google.internal/']) {
    const r = await createChannel('webhook', { url }, deps).send(notificationFor('test'), ctx);
    assert.equal(r.outcome, 'permanent', url);
    assert.equal(r.reason, 'bad_config', url);
    assert.match(r.message, /^refused: /, url);
  }
  // A name that resolves to a refused address is refused too.
  const viaName = await createChannel('slack', { webhook_url: 'https://hooks.example.test/services/T/B/X' }, { ...deps, resolve: async () => [{ address: '169.254.169.254', family: 4 }] }).send(notificationFor('test'), ctx);
  assert.match(viaName.message, /^refused: .*metadata/);
  assert.equal(hits, at, 'nothing was sent');
});

test('with loopback granted the call is made, and the reply shows as a status and a sanitised reason, never its body', async () => {
  const leaky = await createChannel('webhook', { url: `${base}/leaky` }, { ...deps, reach: ['loopback'] }).send(notificationFor('test'), ctx);
  assert.equal(leaky.status, 500);
  assert.equal(leaky.message, 'HTTP 500 server_error');
  assert.equal(leaky.excerpt, '');
  const json = await createChannel('webhook', { url: `${base}/json` }, { ...deps, reach: ['loopback'] }).send(notificationFor('test'), ctx);
  assert.equal(json.message, 'HTTP 400 rejected: no such route');
  assert.ok(!JSON.stringify(json).includes('hunter2'));
});
