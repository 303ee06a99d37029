// The shared scrubbing contract, against the local Vultr API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScrubbingContract } from '../testing/contract.ts';
import { manualClock } from '../testing/fake-server.ts';
import { createVultrProvider } from './index.ts';
import { startVultrFake, vultrRateLimited } from './testing/fake.ts';

describeScrubbingContract({
  type: 'vultr',
  async start() {
    const fake = await startVultrFake({ clock: manualClock() });
    const [inst] = [...fake.instances.values()];
    const config = () => ({ api_key: fake.apiKey, instances: [{ id: inst!.id, addresses: [inst!.main_ip, '2001:db8:30::/64'] }], api_url: `${fake.url}/v2` });
    return {
      fake,
      factory: createVultrProvider,
      config,
      target: inst!.id,
      covered: '2001:db8:30::1',
      uncovered: '203.0.113.31',
      unknownTarget: 'cb676a46-66fd-4dfb-b839-443f2e6c0b60',
      badCredentials: { api_key: 'WRONGKEY'.repeat(4) },
      badConfig: [
        { config: { instances: [] }, key: 'config.instances' },
        { config: { instances: [{ id: 'nope', addresses: ['203.0.113.30'] }] }, key: 'config.instances' },
        { config: { api_key: '' }, key: 'config.api_key' },
      ],
      secrets: [fake.apiKey],
      diverted: () => inst!.features.includes('ddos_protection'),
      rateLimited: () => vultrRateLimited(),
      rateLimitSaysWhen: false,
      stop: () => fake.stop(),
    };
  },
  extraTests(instance, depsOf) {
    test('vultr: enable is one PATCH {"ddos_protection": true} read back from the 202; other features stay', async () => {
      const fake = instance().fake as Awaited<ReturnType<typeof startVultrFake>>;
      const p = createVultrProvider(instance().config(), depsOf());
      const from = fake.received.length;
      const on = await p.enable(instance().target, 'flood', 'k');
      assert.equal(on.state, 'diverting');
      const sent = fake.received.slice(from);
      assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), ['GET /v2/instances/' + instance().target, 'PATCH /v2/instances/' + instance().target]);
      assert.deepEqual(sent[1]!.json, { ddos_protection: true });
      assert.deepEqual(fake.instances.get(instance().target)!.features, ['ipv6', 'ddos_protection']);
      await p.disable(instance().target, 'k');
      assert.deepEqual(fake.instances.get(instance().target)!.features, ['ipv6']);
    });
  },
});
