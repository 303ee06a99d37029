// Rule writes fenced by the mitigation lease's token, on real PostgreSQL: replica A expires a rule
// and is held inside its speaker call, after its check and its first write, while replica B takes
// the lease over; A's next write (the rule recorded as expired) is refused — a FencedOut logged,
// the pass stopped, no 500, no crash — and B, the new holder, finishes the withdrawal. A request's
// writes (an operator's, on any replica) are never fenced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mitigation as repo } from '@breakwater/db';
import { startWebhookFake } from '@breakwater/mitigation/testing';
import { postgresBackend } from '@breakwater/testing';
import { FencedOut } from '../src/cluster/lease-turn.ts';
import { startTestServer } from './harness.ts';
import { hold, leaseHolders } from './lease-holders.ts';

test('mitigation (postgres): a holder whose lease was taken over while it withdrew is refused at the write; the new holder finishes', async () => {
  const t = await startTestServer(postgresBackend, { outbound: { adapters: { '*': ['loopback' as const] } } });
  const hook = await startWebhookFake();
  try {
    const r = await t.request<any>('POST', '/api/v1/mitigation/adapters', {
      body: { adapter_type: 'webhook', name: 'edge-hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole'] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const atSpeaker = hold();
    const h = await leaseHolders(t, { wraps: { 'replica-a': (real) => ({ withdraw: async (rule) => { await atSpeaker.wait(); return real.withdraw(rule); } }) } });
    const adapter = await h.adapter(r.body.data.id);
    await h.a.leases.round();
    const tokenA = h.a.leases.token('mitigation');
    assert.ok(tokenA !== null, 'A holds the lease');

    // Created on request (not fenced), announced by A.
    const rule = await h.a.service.create(h.rule(adapter, '198.18.50.1/32', 60));
    assert.equal(rule.status, 'active', JSON.stringify(rule));
    assert.equal(hook.observe().has('blackhole|198.18.50.1/32'), true);

    // Its TTL ends: A's pass checks its lease, marks the rule withdrawing, and stops inside the speaker call.
    h.clock.t += 61_000;
    const passA = h.a.service.tick();
    await atSpeaker.reached;
    assert.equal((await repo.getRuleById(t.server.ctx.db, rule.id))?.status, 'withdrawing');

    // Meanwhile A's lease passes to B (its token + 1); then A goes on.
    assert.equal(await h.takeOver(h.b), tokenA + 1);
    atSpeaker.release();
    await passA;
    const fenced = h.a.errors.filter((e) => e instanceof FencedOut);
    assert.equal(fenced.length, 1, `one fenced-out write, logged: ${h.a.errors.map(String).join('; ')}`);
    assert.equal(h.a.errors.length, 1, 'nothing else failed');
    const stale = await repo.getRuleById(t.server.ctx.db, rule.id);
    assert.equal(stale?.status, 'withdrawing', 'A could not record the rule as expired');
    assert.equal(stale?.withdrawn_at, null);

    // A's next pass does nothing: its check fails.
    await h.a.service.tick();
    assert.equal((await repo.getRuleById(t.server.ctx.db, rule.id))?.status, 'withdrawing');

    // B, the holder, takes the half-done withdrawal up and records it.
    await h.b.service.tick();
    const done = await repo.getRuleById(t.server.ctx.db, rule.id);
    assert.ok(done?.status === 'withdrawn' || done?.status === 'expired', JSON.stringify(done));
    assert.ok(done.withdrawn_at !== null);
    assert.deepEqual(h.b.errors, []);
    assert.equal(hook.observe().has('blackhole|198.18.50.1/32'), false, 'the receiver no longer holds the route');

    // A request on the replica without the lease still writes (an operator's withdrawal is not fenced).
    const second = await h.a.service.create(h.rule(adapter, '198.18.50.2/32'));
    assert.equal(second.status, 'active');
    const gone = await h.a.service.withdraw(second, 'operator', 'by hand');
    assert.equal(gone.status, 'withdrawn');
    assert.equal((await repo.getRuleById(t.server.ctx.db, second.id))?.status, 'withdrawn');
  } finally {
    await t.stop();
    await hook.stop();
  }
});
