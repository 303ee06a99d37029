// The one suite every channel type runs against its fake provider (habit 2).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CHANNEL_TYPES } from '@breakwater/contracts';
import type { ChannelDeps, NotificationChannel } from './channel.ts';
import type { DeliveryResult } from './delivery-result.ts';
import { createChannel } from './registry.ts';
import { CHANNEL_CONTRACTS } from './testing/contracts.ts';
import { notificationFor } from './testing/fixtures.ts';
import type { FakeServer } from '@breakwater/outbound/testing';

const HANG_TIMEOUT_MS = 250;

// The fake providers listen on loopback: granted here as an operator's config would.
const deps = (timeoutMs = 5000): ChannelDeps => ({ fetch: (u, i) => fetch(u, i), now: () => Date.now(), timeoutMs, reach: ['loopback'] });

let seq = 0;
const ctx = () => ({ delivery_id: `dlv-${++seq}`, attempt: 1 });

async function closedPortHost(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

for (const type of CHANNEL_TYPES) {
  describe(`channel contract: ${type}`, () => {
    const contract = CHANNEL_CONTRACTS[type];
    let fake: FakeServer<any>;
    let channel: NotificationChannel;
    let secrets: string[];

    const noSecrets = (r: DeliveryResult) => {
      const text = JSON.stringify(r);
      for (const s of secrets) assert.ok(!text.includes(s) && !text.includes(encodeURIComponent(s)), `result leaks a secret: ${text}`);
    };
    const sendOk = async (event: Parameters<typeof notificationFor>[0]) => {
      const before = fake.received.length;
      const r = await channel.send(notificationFor(event), ctx());
      assert.deepEqual(fake.problems, [], `the fake ${type} provider found problems`);
      assert.equal(r.outcome, 'delivered', JSON.stringify(r));
      assert.equal(r.status, contract.successStatus);
      assert.equal(r.reason, null);
      noSecrets(r);
      assert.equal(fake.received.length, before + (contract.requestsPerEvent ?? 1), 'exactly the requests one event needs');
      return fake.received[before];
    };
    const sendFailing = async (mode: FakeServer<unknown>['mode']) => {
      fake.mode = mode;
      const r = await channel.send(notificationFor('incident.opened'), ctx());
      noSecrets(r);
      return r;
    };

    before(async () => {
      fake = await contract.start();
      const config = contract.config(fake.host);
      secrets = contract.secrets(config as never).filter((s) => s.length >= 4);
      channel = createChannel(type, config, deps());
    });
    after(async () => {
      await channel.close();
      await fake.stop();
    });
    beforeEach(() => { fake.mode = 'ok'; });

    test('opened is accepted as the provider documents it; resolved closes what opened created', async () => {
      const opened = await sendOk('incident.opened');
      contract.assertOpened(opened, notificationFor('incident.opened'));
      const resolved = await sendOk('incident.resolved');
      contract.assertResolved(resolved, opened, notificationFor('incident.resolved'));
    });

    test('escalated, mitigated and test events are accepted too', async () => {
      for (const event of ['incident.escalated', 'incident.mitigated', 'test'] as const) await sendOk(event);
    });

    test('provider 5xx → retryable server_error', async () => {
      const r = await sendFailing('server_error');
      assert.equal(r.outcome, 'retryable');
      assert.equal(r.reason, 'server_error');
      assert.equal(r.status, contract.failureStatus?.server_error ?? 500);
    });

    test('rate limited → retryable, with the provider\'s delay when it gives one', async () => {
      const r = await sendFailing('rate_limited');
      assert.equal(r.outcome, 'retryable');
      assert.equal(r.status, contract.failureStatus?.rate_limited ?? 429);
      assert.equal(r.retry_after_ms, contract.retryAfterMs);
      if (contract.retryAfterMs !== null) assert.equal(r.reason, 'rate_limited');
    });

    test('bad request → permanent rejected', async () => {
      const r = await sendFailing('bad_request');
      assert.equal(r.outcome, 'permanent');
      assert.equal(r.reason, 'rejected');
      assert.equal(r.status, contract.failureStatus?.bad_request ?? 400);
      assert.equal(r.retry_after_ms, null);
    });

    test('bad credentials → permanent unauthorized', async () => {
      const r = await sendFailing('unauthorized');
      assert.equal(r.outcome, 'permanent');
      assert.equal(r.reason, 'unauthorized');
      assert.equal(r.status, contract.failureStatus?.unauthorized ?? 401);
    });

    test('a provider that never answers → retryable timeout within the deadline', async () => {
      const quick = createChannel(type, contract.config(fake.host), deps(HANG_TIMEOUT_MS));
      fake.mode = 'hang';
      const t0 = performance.now();
      const r = await quick.send(notificationFor('incident.opened'), ctx());
      const took = performance.now() - t0;
      await quick.close();
      noSecrets(r);
      assert.equal(r.outcome, 'retryable', JSON.stringify(r));
      assert.equal(r.reason, 'timeout');
      assert.equal(r.status, null);
      assert.ok(fake.hanging() >= 1, 'the request reached the provider and was held');
      assert.ok(took >= HANG_TIMEOUT_MS - 20 && took < HANG_TIMEOUT_MS + 1500, `took ${took} ms`);
    });

    test('nothing listening → retryable network', async () => {
      const down = createChannel(type, contract.config(await closedPortHost()), deps());
      const r = await down.send(notificationFor('incident.opened'), ctx());
      await down.close();
      assert.equal(r.outcome, 'retryable', JSON.stringify(r));
      assert.equal(r.reason, 'network');
    });
  });
}
