// The outbound kit against a real HTTP server on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundError, sendHttp, type FetchLike } from './http-client.ts';

let server: Server;
let port = 0;
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') { res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(); return; }
    if (req.url === '/big') { res.writeHead(200); res.end('x'.repeat(1024 * 1024)); return; }
    if (req.url === '/silent') return; // never answers
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const refused = (err: unknown) => err instanceof OutboundError && err.kind === 'refused' && !err.retryable;

test('loopback is refused unless granted; granted, the call goes through', async () => {
  const before = hits.length;
  await assert.rejects(sendHttp({ reach: [], timeoutMs: 2000 }, { method: 'GET', url: `http://127.0.0.1:${port}/a` }), refused);
  await assert.rejects(sendHttp({ reach: ['private'], timeoutMs: 2000 }, { method: 'GET', url: `http://[::ffff:127.0.0.1]:${port}/a` }), refused);
  assert.equal(hits.length, before, 'nothing reached the server');
  const r = await sendHttp({ reach: ['loopback'], timeoutMs: 2000 }, { method: 'GET', url: `http://127.0.0.1:${port}/a` });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, path: '/a' });
});

test('a name is connected to the address its checked resolution gave, and refused when that is out of reach', async () => {
  let lookups = 0;
  const resolve = async (host: string) => { lookups++; assert.equal(host, 'vendor.test'); return [{ address: '127.0.0.1', family: 4 }]; };
  const before = hits.length;
  await assert.rejects(sendHttp({ reach: [], timeoutMs: 2000, resolve }, { method: 'GET', url: `http://vendor.test:${port}/n` }), refused);
  assert.equal(hits.length, before);
  // Granted: the socket goes where the checked lookup said (the system resolver knows no vendor.test).
  lookups = 0;
  const r = await sendHttp({ reach: ['loopback'], timeoutMs: 2000, resolve }, { method: 'GET', url: `http://vendor.test:${port}/n` });
  assert.equal(r.status, 200);
  assert.equal(lookups, 1, 'one resolution, checked and used for the connection');
  // A name whose answer includes a metadata address is refused even when the others are fine.
  const mixed = async () => [{ address: '127.0.0.1', family: 4 }, { address: '169.254.169.254', family: 4 }];
  await assert.rejects(sendHttp({ reach: ['loopback', 'private'], timeoutMs: 2000, resolve: mixed }, { method: 'GET', url: `http://vendor.test:${port}/n` }), (err) => refused(err) && /metadata/.test((err as Error).message));
});

test('the pinning works through an injected fetch too (tests wrap the global one)', async () => {
  const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
  const wrapped: FetchLike = (u, i) => fetch(u, i);
  const r = await sendHttp({ reach: ['loopback'], timeoutMs: 2000, resolve, fetch: wrapped }, { method: 'GET', url: `http://vendor.test:${port}/w` });
  assert.equal(r.status, 200);
  await assert.rejects(sendHttp({ reach: [], timeoutMs: 2000, resolve, fetch: wrapped }, { method: 'GET', url: `http://vendor.test:${port}/w` }), refused);
});

test('redirects are not followed: a 302 to the metadata address is just a 302', async () => {
  const before = hits.length;
  const r = await sendHttp({ reach: ['loopback'], timeoutMs: 2000 }, { method: 'POST', url: `http://127.0.0.1:${port}/redirect`, body: '{}' });
  assert.equal(r.status, 302);
  assert.equal(hits.length, before + 1);
});

test('reads are capped, and no reply within the deadline is a retryable timeout', async () => {
  const r = await sendHttp({ reach: ['loopback'], timeoutMs: 5000 }, { method: 'GET', url: `http://127.0.0.1:${port}/big` }, { maxBytes: 1000 });
  assert.equal(r.text.length, 1000);
  await assert.rejects(sendHttp({ reach: ['loopback'], timeoutMs: 200 }, { method: 'GET', url: `http://127.0.0.1:${port}/silent` }), (err) => err instanceof OutboundError && err.kind === 'timeout' && err.retryable);
});
