// The shared scrubbing contract against the local Cloudflare API, plus the WAF's own: the level
// before enable comes back on disable, and normal_level after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScrubbingContract } from '../testing/contract.ts';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/outbound/testing';
import { createCloudflareWafProvider } from './index.ts';

let cf: CloudflareFake;
const config = () => ({ api_token: cf.token, zone_id: cf.zoneId, origin_addresses: ['198.51.100.10', '2001:db8::/64'], api_url: cf.url });

describeScrubbingContract({
  type: 'cloudflare_waf',
  async start() {
    cf = await startCloudflareFake({ securityLevel: 'medium' });
    return {
      fake: cf,
      factory: createCloudflareWafProvider,
      config,
      target: cf.zoneId,
      covered: '198.51.100.10',
      uncovered: '198.51.100.11',
      unknownTarget: 'f'.repeat(32),
      badCredentials: { api_token: 'cf-not-the-token-0123456789abcdef' },
      badConfig: [
        { config: { zone_id: 'example.com' }, key: 'config.zone_id' },
        { config: { attack_level: 'panic' }, key: 'config.attack_level' },
        { config: { normal_level: 'under_attack' }, key: 'config.normal_level' },
        { config: { origin_addresses: ['a.b.c.d'] }, key: 'config.origin_addresses' },
        { config: { api_token: '' }, key: 'config.api_token' },
      ],
      secrets: [cf.token],
      diverted: () => cf.zone.security_level === 'under_attack',
      rateLimited: (s) => cf.rateLimited(s),
      rateLimitSaysWhen: true,
      stop: () => cf.stop(),
    };
  },
  extraTests(inst, deps) {
    test('cloudflare waf: PATCH {value: under_attack}, and disable restores the level the zone had', async () => {
      cf.zone.security_level = 'high';
      const p = createCloudflareWafProvider(config(), deps());
      cf.received.length = 0;
      const on = await p.enable(cf.zoneId, 'flood', 'k1');
      assert.equal(on.state, 'diverting');
      assert.deepEqual(cf.received.map((r) => `${r.method} ${r.path}`), [`GET /zones/${cf.zoneId}/settings/security_level`, `PATCH /zones/${cf.zoneId}/settings/security_level`]);
      assert.deepEqual(cf.received.at(-1)!.json, { value: 'under_attack' });
      await p.disable(cf.zoneId, 'k2');
      assert.equal(cf.zone.security_level, 'high');
      cf.zone.security_level = 'medium';
    });

    test('cloudflare waf: after a restart disable restores normal_level', async () => {
      cf.zone.security_level = 'low';
      await createCloudflareWafProvider(config(), deps()).enable(cf.zoneId, 'flood', 'k1');
      const fresh = createCloudflareWafProvider({ ...config(), normal_level: 'essentially_off' }, deps());
      assert.equal((await fresh.status(cf.zoneId)).state, 'diverting');
      await fresh.disable(cf.zoneId, 'k2');
      assert.equal(cf.zone.security_level, 'essentially_off');
      cf.zone.security_level = 'medium';
      assert.equal(inst().fake.problems.length, 0);
    });

    test('cloudflare waf: without origin_addresses no attacked address maps to the zone', () => {
      const p = createCloudflareWafProvider({ api_token: cf.token, zone_id: cf.zoneId, api_url: cf.url }, deps());
      assert.equal(p.targetFor('198.51.100.10'), null);
      assert.deepEqual(p.targets(), [cf.zoneId]);
    });
  },
});
