// A server restart in the middle of a run: two server instances on one database. The first runs a
// runbook up to its wait and is stopped there; the second picks the execution up and holds the
// wait for its remaining time only (on its clock), then runs the rest — the steps already done are
// not done again (the webhook before the wait arrives once).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { createServer, resolveConfig, type RunningServer } from '../src/index.ts';
import { TestClock } from './harness.ts';
import { startHook, type Hook } from './runbook-hook.ts';

for (const backend of BACKENDS) {
  describe(`runbook execution across a restart on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.setup>>;
    let hook: Hook;
    let first: RunningServer | null = null;
    let second: RunningServer | null = null;

    before(async () => {
      env = await backend.setup();
      hook = await startHook();
    });
    after(async () => {
      await first?.stop().catch(() => undefined);
      await second?.stop().catch(() => undefined);
      await hook?.stop();
      await env?.cleanup();
    });

    test('the second instance resumes at the wait and finishes it at the right time', async () => {
      const config = resolveConfig({ port: 0, host: '127.0.0.1', dataDir: env.dataDir, databaseUrl: env.databaseUrl, logLevel: 'silent', outbound: { channels: { webhook: ['loopback'] } } as never });
      const clockA = new TestClock();
      first = await createServer(config, { clock: clockA }).start({ bootstrapIfEmpty: true });
      const token = first.bootstrapped!.api_token;
      const call = async (url: string, method: string, path: string, body?: unknown) => {
        const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
        return { status: r.status, body: (await r.json()) as any };
      };
      const c = await call(first.url, 'POST', '/api/v1/runbooks', {
        name: 'restartable', trigger_conditions: {}, steps: [
          { action_type: 'webhook', action_config: { url: hook.url, payload: { phase: 'before' } } },
          { action_type: 'wait', action_config: { seconds: 120 } },
          { action_type: 'webhook', action_config: { url: hook.url, payload: { phase: 'after' } } },
          { action_type: 'log', action_config: { message: 'done' } },
        ],
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const id = c.body.data.id;
      assert.equal((await call(first.url, 'POST', `/api/v1/runbooks/${id}/test`, { dry_run: false })).status, 202);
      await first.runbooks.idle();
      const [mid] = (await call(first.url, 'GET', `/api/v1/runbooks/${id}/executions`)).body.data;
      assert.deepEqual(mid.steps.map((s: any) => s.status), ['succeeded', 'waiting', 'pending', 'pending']);
      const until: number = mid.steps[1].output.until;
      const since = until - Date.parse(mid.steps[1].started_at);
      assert.ok(since >= 120_000 && since < 121_000, `the wait ends 120 s after it started (${since} ms)`);
      assert.equal(hook.got.length, 1);

      clockA.advance(30_000);
      await first.stop();
      first = null;

      // The second instance, 30 s into the wait.
      const clockB = new TestClock();
      clockB.offset = clockA.offset;
      second = await createServer(config, { clock: clockB }).start();
      const view = async () => (await call(second!.url, 'GET', `/api/v1/runbooks/${id}/executions`)).body.data[0];
      await second.runbooks.idle();
      assert.equal((await view()).steps[1].status, 'waiting', 'still waiting after the restart');
      clockB.advance(80_000); // 110 s in: 10 s left
      await second.runbooks.idle();
      assert.equal((await view()).steps[1].status, 'waiting', 'the wait holds for its remaining time');
      assert.equal(hook.got.length, 1);
      clockB.advance(10_000); // 120 s in
      await second.runbooks.idle();
      const done = await view();
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.deepEqual(done.steps.map((s: any) => s.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      assert.ok(Date.parse(done.steps[1].finished_at) >= until, 'not before its end');
      assert.ok(Date.parse(done.steps[1].finished_at) < until + 5_000, 'and not long after');
      assert.deepEqual(hook.got.map((g) => JSON.parse(g.body).phase), ['before', 'after'], 'nothing done twice');
    });
  });
}
