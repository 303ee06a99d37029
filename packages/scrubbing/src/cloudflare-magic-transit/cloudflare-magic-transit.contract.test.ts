// The shared scrubbing contract, against the local Cloudflare API, plus what is Magic Transit's own:
// the documented 2–7 min / ~15 min windows on the shared clock, the prefix lookup, always-on prefixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScrubbingContract } from '../testing/contract.ts';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/outbound/testing';
import { createCloudflareMagicTransitProvider } from './index.ts';
import { ScrubbingError } from '../errors.ts';

let cf: CloudflareFake;
const config = () => ({
  api_token: cf.token,
  account_id: cf.accountId,
  prefixes: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8:100::/48' }, { cidr: '192.0.2.0/24' }],
  api_url: cf.url,
});

describeScrubbingContract({
  type: 'cloudflare_magic_transit',
  async start() {
    cf = await startCloudflareFake({ prefixes: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8:100::/48' }, { cidr: '192.0.2.0/24', advertised: true, on_demand_enabled: false }, { cidr: '203.0.113.0/24' }] });
    return {
      fake: cf,
      factory: createCloudflareMagicTransitProvider,
      config,
      target: '198.51.100.0/24',
      covered: '198.51.100.77',
      uncovered: '203.0.113.5',
      unknownTarget: '203.0.113.0/24',
      badCredentials: { api_token: 'cf-not-the-token-0123456789abcdef' },
      badConfig: [
        { config: { account_id: 'nope' }, key: 'config.account_id' },
        { config: { api_token: undefined }, key: 'config.api_token' },
        { config: { prefixes: [] }, key: 'config.prefixes' },
        { config: { prefixes: [{ cidr: '198.51.100.7/24' }] }, key: 'config.prefixes[0].cidr' },
        { config: { prefixes: [{ cidr: '198.51.100.0/24', prefix_id: 'short' }] }, key: 'config.prefixes' },
        { config: { acount_id: 'typo' }, key: 'config.acount_id' },
      ],
      secrets: [cf.token],
      diverted: () => cf.prefixByCidr('198.51.100.0/24')!.advertised,
      rateLimited: (s) => cf.rateLimited(s),
      rateLimitSaysWhen: true,
      stop: () => cf.stop(),
    };
  },
  extraTests(inst, deps) {
    test('magic transit: PATCH bgp/status {advertised} on the looked-up prefix id; propagating until 7 min, withdrawing until 15 min', async () => {
      const p = createCloudflareMagicTransitProvider(config(), deps());
      const pre = cf.prefixByCidr('2001:db8:100::/48')!;
      cf.received.length = 0;
      const on = await p.enable('2001:DB8:100::/48', 'flood', 'k1');
      assert.deepEqual(cf.received.map((r) => `${r.method} ${r.path}`), [
        `GET /accounts/${cf.accountId}/addressing/prefixes`,
        `GET /accounts/${cf.accountId}/addressing/prefixes/${pre.id}/bgp/status`,
        `PATCH /accounts/${cf.accountId}/addressing/prefixes/${pre.id}/bgp/status`,
      ]);
      assert.deepEqual(cf.received.at(-1)!.json, { advertised: true });
      assert.equal(on.state, 'propagating');
      assert.equal(Date.parse(on.settles_at!) - inst().fake.clock.now(), 7 * 60_000);
      inst().fake.clock.advance(7 * 60_000 - 1);
      assert.equal((await p.status('2001:db8:100::/48')).state, 'propagating');
      inst().fake.clock.advance(1);
      assert.equal((await p.status('2001:db8:100::/48')).state, 'diverting');
      const off = await p.disable('2001:db8:100::/48', 'k2');
      assert.equal(off.state, 'withdrawing');
      assert.equal(Date.parse(off.settles_at!) - inst().fake.clock.now(), 15 * 60_000);
      inst().fake.clock.advance(15 * 60_000);
      assert.equal((await p.status('2001:db8:100::/48')).state, 'idle');
    });

    test('magic transit: a prefix_id in the config skips the lookup', async () => {
      const pre = cf.prefixByCidr('198.51.100.0/24')!;
      const p = createCloudflareMagicTransitProvider({ ...config(), prefixes: [{ cidr: '198.51.100.0/24', prefix_id: pre.id }] }, deps());
      cf.received.length = 0;
      await p.status('198.51.100.0/24');
      assert.deepEqual(cf.received.map((r) => r.method + ' ' + r.path), [`GET /accounts/${cf.accountId}/addressing/prefixes/${pre.id}/bgp/status`]);
    });

    test('magic transit: an always-on prefix reads as diverting and is never withdrawn by us', async () => {
      const p = createCloudflareMagicTransitProvider(config(), deps());
      const s = await p.status('192.0.2.0/24');
      assert.equal(s.state, 'diverting');
      assert.match(s.detail, /always-on/);
      await assert.rejects(p.disable('192.0.2.0/24', 'k'), (e: unknown) => e instanceof ScrubbingError && e.kind === 'refused');
      assert.equal(cf.prefixByCidr('192.0.2.0/24')!.advertised, true);
    });

    test('magic transit: a configured prefix the account does not have is refused, not retried', async () => {
      const p = createCloudflareMagicTransitProvider({ ...config(), prefixes: [{ cidr: '100.64.0.0/24' }] }, deps());
      await assert.rejects(p.enable('100.64.0.0/24', 'x', 'k'), (e: unknown) => e instanceof ScrubbingError && e.kind === 'refused' && !e.retryable && /no IP prefix 100\.64\.0\.0\/24/.test(e.message));
    });

    test('magic transit: targetFor picks the onboarded prefix holding the attacked address', () => {
      const p = createCloudflareMagicTransitProvider(config(), deps());
      assert.equal(p.targetFor('2001:db8:100::1'), '2001:db8:100::/48');
      assert.equal(p.targetFor('198.51.100.0/25'), '198.51.100.0/24');
      assert.equal(p.targetFor('198.51.0.0/16'), null);
    });
  },
});
