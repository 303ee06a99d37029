// One rule per announcement even when requests for it race (two replicas seeing one incident, or
// one replica handling retries at once): the key's look-up and insert hold a lock across replicas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { startWebhookFake } from '@breakwater/mitigation/testing';
import { startTestServer } from './harness.ts';

const FAST = { mitigation: { tickMs: 50, reconcileMs: 60_000, timeoutMs: 1000, maxAttempts: 5 }, outbound: { adapters: { '*': ['loopback' as const] } } };

for (const backend of BACKENDS) {
  test(`rules (${backend.name}): eight concurrent requests for one blackhole make one rule`, async () => {
    const t = await startTestServer(backend, FAST);
    const hook = await startWebhookFake();
    try {
      const a = await t.request('POST', '/api/v1/mitigation/adapters', {
        body: { adapter_type: 'webhook', name: 'edge-hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole'] },
      });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const replies = await Promise.all(Array.from({ length: 8 }, () => t.request('POST', '/api/v1/mitigation/rules', {
        body: { adapter_id: a.body.data.id, intent_type: 'blackhole', target_ip: '198.18.9.9', ttl: 600 },
      })));
      for (const r of replies) assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
      const ids = new Set(replies.map((r) => r.body.data.id as string));
      assert.equal(ids.size, 1, `one rule: ${[...ids].join(', ')}`);
      const rows = await t.server.ctx.db.selectFrom('mitigation_rules').select('id').where('target_ip', 'like', '198.18.9.9%').execute();
      assert.equal(rows.length, 1);
    } finally {
      await t.stop();
      await hook.stop();
    }
  });
}
