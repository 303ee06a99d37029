// The HTTP adapters' one request helper: the outbound policy's refusals are permanent, and a
// refusal from the vendor shows as a status and a short sanitised reason, never the body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdapterError } from '../../adapter.ts';
import { createWebhookAdapter } from '../webhook/index.ts';
import { httpCall, replyError, replyMessage } from './http-call.ts';

let server: Server;
let base = '';
before(async () => {
  server = createServer((_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }).end('<html>upstream 10.0.0.7:8443 said: token=abcd1234</html>'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const permanent = (re: RegExp) => (err: unknown) => err instanceof AdapterError && !err.retryable && re.test(err.message);

test('metadata, private and (ungranted) loopback endpoints are refused for good, before any request', async () => {
  for (const url of ['http://169.254.169.254/latest/api/token', 'http://10.1.1.1/api', `${base}/x`]) {
    await assert.rejects(httpCall({ timeoutMs: 1000 }, { method: 'GET', url }, 'f5: login', []), permanent(/^f5: login: refused: /), url);
  }
  const hook = createWebhookAdapter({ endpoint: 'http://169.254.169.254/hook', authToken: 'a-webhook-secret-of-32-characters!', options: {} }, { now: Date.now, timeoutMs: 1000, reach: ['loopback', 'private'] });
  const t = await hook.test();
  assert.equal(t.ok, false);
  assert.match(t.message, /refused: .*metadata/);
});

test('a vendor refusal shows its status and error field, never the body', async () => {
  const r = await httpCall({ timeoutMs: 2000, reach: ['loopback'] }, { method: 'GET', url: `${base}/x` }, 'radware: login', []);
  const err = replyError('radware: login', r.status, replyMessage(r), []);
  assert.equal(err.message, 'radware: login: HTTP 502');
  assert.equal(replyMessage({ ...r, json: { message: 'Invalid\u0007 credentials' } }), 'Invalid\u0007 credentials');
  assert.equal(replyError('f5: login', 401, 'Invalid\u0007 credentials for abcd1234', ['abcd1234']).message, 'f5: login: HTTP 401: Invalid credentials for [redacted]');
});
