import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChannelDeps } from '../../channel.ts';
import { notificationFor } from '../../testing/fixtures.ts';
import { createSmsChannel, smsText } from './sms.ts';

const config = { api_url: 'http://sms.test', api_key: 'KEY0123456789', to: ['+15551230001', '+15551230002', '+15551230003'], from: '+15559870000' };

/** A fetch that answers per recipient, recording who was sent to. */
function fakeFetch(statusFor: (to: string) => number, sent: string[]): ChannelDeps['fetch'] {
  return async (_url, init) => {
    const to = JSON.parse(init?.body as string).to as string;
    sent.push(to);
    const status = statusFor(to);
    return new Response(JSON.stringify(status === 200 ? { data: { id: `m-${to}` } } : { errors: [{ code: '1' }] }), { status });
  };
}

test('a failure part-way reports who got it; the retry skips them', async () => {
  const sent: string[] = [];
  let failThird = true;
  const deps = { fetch: fakeFetch((to) => (to.endsWith('3') && failThird ? 503 : 200), sent), now: () => 0, timeoutMs: 1000 };
  const ch = createSmsChannel(config, deps);
  const first = await ch.send(notificationFor('incident.opened'), { delivery_id: 'd1', attempt: 1 });
  assert.equal(first.outcome, 'retryable');
  assert.deepEqual(first.delivered_to, ['+15551230001', '+15551230002']);
  failThird = false;
  sent.length = 0;
  const second = await ch.send(notificationFor('incident.opened'), { delivery_id: 'd1', attempt: 2, already_delivered: first.delivered_to });
  assert.equal(second.outcome, 'delivered');
  assert.deepEqual(sent, ['+15551230003'], 'only the one not reached before');
  assert.deepEqual(second.delivered_to, config.to);
});

test('no sender (a channel stored before from was required) is a permanent config error, before any request', async () => {
  const sent: string[] = [];
  const ch = createSmsChannel({ ...config, from: undefined as unknown as string }, { fetch: fakeFetch(() => 200, sent), now: () => 0, timeoutMs: 1000 });
  const r = await ch.send(notificationFor('incident.opened'), { delivery_id: 'd', attempt: 1 });
  assert.equal(r.outcome, 'permanent');
  assert.equal(r.reason, 'bad_config');
  assert.deepEqual(sent, []);
});

test('every event fits one SMS of GSM-7 characters', () => {
  for (const event of ['incident.opened', 'incident.escalated', 'incident.mitigated', 'incident.resolved', 'test'] as const) {
    const n = notificationFor(event);
    n.incident.node_name = `naïve-ü-${'x'.repeat(200)}`;
    const text = smsText(n);
    assert.ok(text.length <= 160, `${event}: ${text.length}`);
    assert.doesNotMatch(text, /[^\x20-\x7e\n]/);
  }
});
