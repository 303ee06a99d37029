// A delivery's claim is its fence, on real PostgreSQL: worker A claims a delivery and is held
// inside the send past its claim; worker B (another replica) claims it again and delivers it. A's
// late result is recorded as an attempt but cannot overwrite B's state (a retry it would schedule
// would send the message a third time): a FencedOut is logged, no crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveries } from '@breakwater/db';
import type { DeliveryResult } from '@breakwater/notify';
import { postgresBackend, waitFor } from '@breakwater/testing';
import { FencedOut } from '../src/cluster/lease-turn.ts';
import { DEFAULT_OUTBOX, Outbox, type Deliver } from '../src/services/alerting/outbox.ts';
import { startTestServer } from './harness.ts';
import { hold, MovableClock } from './lease-holders.ts';

const result = (outcome: DeliveryResult['outcome']): DeliveryResult => ({
  outcome, reason: outcome === 'delivered' ? null : 'server_error', status: outcome === 'delivered' ? 200 : 503, retry_after_ms: null,
  message: outcome, excerpt: '', provider_ref: null, duration_ms: 1,
});

test('outbox (postgres): a sender whose claim ran out and was taken over cannot overwrite the new claimer\'s state', async () => {
  const t = await startTestServer(postgresBackend, { outbound: { channels: { '*': ['loopback' as const] } } });
  try {
    await t.server.outbox.stop(); // only the test's two workers send
    const ch = await t.request<any>('POST', '/api/v1/channels', { body: { name: 'hook', type: 'webhook', config: { url: 'http://127.0.0.1:9/x', secret: 'outbox-fencing-secret-0123456789' } } });
    assert.equal(ch.status, 201, JSON.stringify(ch.body));
    const db = t.server.ctx.db;
    const clock = new MovableClock();
    const options = { ...DEFAULT_OUTBOX, leaseMs: 10_000, pollMs: 60_000, perChannelIntervalMs: 0 };
    assert.ok(await deliveries.enqueueDelivery(db, {
      workspace_id: t.admin.workspaceId, channel_id: ch.body.data.id, incident_id: null, event: 'test', dedup_key: `fencing-${clock.t}`,
      payload: JSON.stringify({ event: 'test' }), status: 'pending', attempts: 0, next_attempt_at: clock.t, lease_until: null, last_status_code: null,
      last_error: null, delivered_to: '[]', created_at: clock.t, delivered_at: null, updated_at: clock.t,
    }));

    const inSend = hold();
    const sent: string[] = [];
    const errors = { a: [] as unknown[], b: [] as unknown[] };
    const worker = (id: 'a' | 'b', deliver: Deliver) => new Outbox({ db, clock, options, deliver, onError: (e) => errors[id].push(e), random: () => 0.5 });
    // A's provider answers 503 only after the test lets it: by then its claim has run out.
    const a = worker('a', async (_c, _m, ctx) => {
      sent.push(`a#${ctx.attempt}`);
      await inSend.wait();
      return result('retryable');
    });
    const b = worker('b', async (_c, _m, ctx) => (sent.push(`b#${ctx.attempt}`), result('delivered')));
    const row = async () => (await db.selectFrom('deliveries').selectAll().execute())[0]!;

    a.start();
    await inSend.reached;
    assert.equal((await row()).status, 'sending');
    clock.t += options.leaseMs + 1;
    b.start();
    await waitFor('B delivered it', async () => (await row()).status === 'delivered');
    await b.stop();
    inSend.release();
    await a.stop();

    assert.deepEqual(sent, ['a#1', 'b#2']);
    const final = await row();
    assert.equal(final.status, 'delivered', 'A\'s late 503 did not put it back to pending');
    assert.equal(final.attempts, 2);
    assert.equal(final.last_status_code, 200);
    const attempts = await db.selectFrom('delivery_attempts').select(['attempt', 'outcome']).orderBy('attempt').execute();
    assert.deepEqual(attempts, [{ attempt: 1, outcome: 'retry' }, { attempt: 2, outcome: 'delivered' }], 'both attempts on record');
    assert.equal(errors.a.length, 1);
    assert.ok(errors.a[0] instanceof FencedOut, String(errors.a[0]));
    assert.deepEqual(errors.b, []);
  } finally {
    await t.stop();
  }
});
