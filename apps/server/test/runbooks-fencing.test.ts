// An execution's claim is its fence, on real PostgreSQL: server A runs a runbook's first webhook
// step and is held inside it (the receiver does not answer) past its claim; server B, whose clock
// is past A's claim, claims the execution and runs it to the end. When A's webhook returns, A's
// save is refused (FencedOut, logged) and A stops: it neither rewinds B's record nor sends the
// second webhook again.
import assert from 'node:assert/strict';
import { createServer as createHttp } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { postgresBackend, waitFor } from '@breakwater/testing';
import { createServer, resolveConfig, type RunningServer } from '../src/index.ts';
import { TestClock } from './harness.ts';
import { hold } from './lease-holders.ts';

test('runbooks (postgres): an engine whose claim ran out while a step ran cannot record it after another engine took the execution over', async () => {
  const env = await postgresBackend.setup();
  const first = hold();
  const got: string[] = [];
  // The receiver holds its first request until the test lets it go.
  const receiver = createHttp((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const phase = (JSON.parse(body) as { phase: string }).phase;
      got.push(phase);
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (got.length === 1) void first.wait().then(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const logged: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
  let a: RunningServer | null = null;
  let b: RunningServer | null = null;
  try {
    const config = resolveConfig({ port: 0, host: '127.0.0.1', dataDir: env.dataDir, databaseUrl: env.databaseUrl, logLevel: 'silent', outbound: { channels: { webhook: ['loopback'] } } as never });
    a = await createServer(config, { clock: new TestClock() }).start({ bootstrapIfEmpty: true });
    const token = a.bootstrapped!.api_token;
    const call = async (server: RunningServer, method: string, path: string, body?: unknown) => {
      const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: r.status, body: (await r.json()) as any };
    };
    const c = await call(a, 'POST', '/api/v1/runbooks', {
      name: 'fenced', trigger_conditions: {}, steps: [
        { action_type: 'webhook', action_config: { url, payload: { phase: 'one' }, timeout_ms: 30_000 } },
        { action_type: 'webhook', action_config: { url, payload: { phase: 'two' } } },
      ],
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const id = c.body.data.id;
    assert.equal((await call(a, 'POST', `/api/v1/runbooks/${id}/test`, { dry_run: false })).status, 202);
    await first.reached;
    const running = async (server: RunningServer) => (await call(server, 'GET', `/api/v1/runbooks/${id}/executions`)).body.data[0];
    assert.equal((await running(a)).status, 'running');

    // B's clock is past A's claim (60 s): B takes the execution over and finishes it.
    const clockB = new TestClock();
    clockB.advance(61_000);
    b = await createServer(config, { clock: clockB }).start();
    const bb = b;
    await waitFor('B finished the run', async () => (await running(bb)).status === 'succeeded', 15_000);
    const done = await running(b);
    assert.deepEqual(got, ['one', 'one', 'two'], 'B ran both steps, A is still inside its first');

    // A's webhook returns now: its save is refused and it stops.
    first.release();
    await a.runbooks.idle();
    const after = await running(b);
    assert.deepEqual(after.steps.map((s: any) => s.status), ['succeeded', 'succeeded']);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.finished_at, done.finished_at, 'B\'s record stands');
    assert.deepEqual(got, ['one', 'one', 'two'], 'A did not go on to the second webhook');
    assert.ok(logged.some((l) => l.includes('FencedOut') && l.includes(`runbook execution ${done.id}`)), `A logged its fenced-out save: ${logged.join(' | ')}`);
  } finally {
    first.release();
    console.error = consoleError;
    await a?.stop().catch(() => undefined);
    await b?.stop().catch(() => undefined);
    await new Promise<void>((r) => { receiver.closeAllConnections(); receiver.close(() => r()); });
    await env.cleanup();
  }
});
