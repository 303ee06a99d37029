// The shared scrubbing contract against the local OVH API (signature recomputed on every call),
// plus OVH's own: the signed requests as documented, the API clock offset, IPv4 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScrubbingContract } from '../testing/contract.ts';
import { startOvhFake, type OvhFake } from './testing/ovh-fake.ts';
import { createOvhMitigationProvider } from './index.ts';

let ovh: OvhFake;
const config = () => ({
  application_key: ovh.applicationKey, application_secret: ovh.applicationSecret, consumer_key: ovh.consumerKey,
  ip_blocks: ['203.0.113.0/24', '198.51.100.9/32'], api_url: ovh.apiUrl,
});

describeScrubbingContract({
  type: 'ovh_mitigation',
  async start() {
    ovh = await startOvhFake({ blocks: ['203.0.113.0/24', '198.51.100.9/32'] });
    return {
      fake: ovh,
      factory: createOvhMitigationProvider,
      config,
      target: '198.51.100.9',
      covered: '198.51.100.9',
      uncovered: '192.0.2.1',
      unknownTarget: '192.0.2.1',
      badCredentials: { consumer_key: 'not-the-consumer-key-0123456789' },
      badConfig: [
        { config: { endpoint: 'ovh-moon' }, key: 'config.endpoint' },
        { config: { ip_blocks: ['not a block'] }, key: 'config.ip_blocks' },
        { config: { ip_blocks: ['2001:db8::/64'] }, key: 'config.ip_blocks[0]' },
        { config: { application_secret: undefined }, key: 'config.application_secret' },
      ],
      secrets: [ovh.applicationSecret, ovh.consumerKey],
      diverted: () => ovh.mitigations().get('198.51.100.9')?.permanent === true && ovh.mitigations().get('198.51.100.9')?.state !== 'removalPending',
      rateLimited: (s) => ovh.rateLimited(s),
      rateLimitSaysWhen: true,
      stop: () => ovh.stop(),
    };
  },
  extraTests(inst, deps) {
    test('ovh: POST /ip/{block}/mitigation {ipOnMitigation} signed, then creationPending → ok → removalPending → gone', async () => {
      const p = createOvhMitigationProvider(config(), deps());
      ovh.received.length = 0;
      const on = await p.enable('203.0.113.7', 'flood', 'k1');
      assert.equal(on.state, 'propagating');
      const post = ovh.received.find((r) => r.method === 'POST')!;
      assert.equal(post.rawPath, '/1.0/ip/203.0.113.0%2F24/mitigation');
      assert.deepEqual(post.json, { ipOnMitigation: '203.0.113.7' });
      assert.match(String(post.headers['x-ovh-signature']), /^\$1\$[0-9a-f]{40}$/);
      assert.equal(ovh.received[0]!.path, '/1.0/auth/time', 'the API time first');
      inst().fake.clock.advance(60_000);
      assert.equal((await p.status('203.0.113.7/32')).state, 'diverting');
      assert.equal((await p.disable('203.0.113.7', 'k2')).state, 'withdrawing');
      inst().fake.clock.advance(60_000);
      assert.equal((await p.status('203.0.113.7')).state, 'idle');
    });

    test('ovh: a local clock an hour off still signs with the API time (read from /auth/time)', async () => {
      const skewed = { ...deps(), now: () => inst().fake.clock.now() + 3_600_000 };
      const p = createOvhMitigationProvider(config(), skewed);
      assert.equal((await p.status('203.0.113.8')).state, 'idle');
      assert.equal((await p.test()).ok, true);
    });

    test('ovh: a wrong application secret is an auth failure, and neither secret is shown', async () => {
      const t = await createOvhMitigationProvider({ ...config(), application_secret: 'wrong-secret-0123456789abcdef' }, deps()).test();
      assert.equal(t.health, 'auth_failed', t.error?.message);
      assert.ok(!JSON.stringify(t).includes('wrong-secret-0123456789abcdef'));
      ovh.problems.length = 0;
    });

    test('ovh: targets are IPv4 addresses inside the blocks; single-address blocks are listed', () => {
      const p = createOvhMitigationProvider(config(), deps());
      assert.equal(p.targetFor('203.0.113.200'), '203.0.113.200');
      assert.equal(p.targetFor('203.0.113.0/24'), null);
      assert.equal(p.targetFor('203.0.114.1'), null);
      assert.deepEqual(p.targets(), ['198.51.100.9']);
    });
  },
});
