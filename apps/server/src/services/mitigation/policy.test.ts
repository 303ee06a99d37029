import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePolicy, overrideFor, policyProblems, readPolicy, tiersReached, tierTtl } from './policy.ts';

const tiers = [
  { name: 'tier1', pps: 10_000, multiplier: 5, action: 'firewall' as const },
  { name: 'tier2', bps: 1_000_000_000, action: 'blackhole' as const, adapter_id: 'a', ttl: 120 },
];

test('static mode: tiers fire on pps or bps at their own thresholds', () => {
  const p = mergePolicy(readPolicy(undefined), { thresholds: tiers });
  assert.deepEqual(tiersReached(p, { pps: 9_999, bps: 0 }, 100_000, null).map((t) => t.name), []);
  assert.deepEqual(tiersReached(p, { pps: 10_000, bps: 0 }, 100_000, null).map((t) => t.name), ['tier1'], 'the baseline is ignored in static mode');
  assert.deepEqual(tiersReached(p, { pps: 1, bps: 2e9 }, null, null).map((t) => t.name), ['tier2']);
  assert.deepEqual(tiersReached({ ...p, enabled: false }, { pps: 1e9, bps: 1e12 }, null, null), []);
});

test('dynamic mode: multiplier × learned p99, never below the tier\'s own pps', () => {
  const p = mergePolicy(readPolicy(undefined), { thresholds: tiers, baseline_mode: 'dynamic' });
  assert.deepEqual(tiersReached(p, { pps: 40_000, bps: 0 }, 10_000, null).map((t) => t.name), [], '5 × 10k = 50k');
  assert.deepEqual(tiersReached(p, { pps: 50_000, bps: 0 }, 10_000, null).map((t) => t.name), ['tier1']);
  assert.deepEqual(tiersReached(p, { pps: 10_000, bps: 0 }, 100, null).map((t) => t.name), ['tier1'], 'floor: 5 × 100 is below 10k');
  assert.deepEqual(tiersReached(p, { pps: 10_000, bps: 0 }, null, null).map((t) => t.name), ['tier1'], 'no baseline yet: the static value');
});

test('per-host overrides: the most specific prefix containing the host wins', () => {
  const o = [
    { target_ip: '198.18.0.0/16', thresholds: { tier1_pps: 1 } },
    { target_ip: '198.18.5.0/24', thresholds: { tier1_pps: 2 } },
    { target_ip: '2001:db8::/32', thresholds: { tier1_pps: 3 } },
  ];
  assert.deepEqual(overrideFor('198.18.5.9', o), { tier1_pps: 2 });
  assert.deepEqual(overrideFor('198.18.6.9', o), { tier1_pps: 1 });
  assert.deepEqual(overrideFor('2001:db8::1', o), { tier1_pps: 3 });
  assert.equal(overrideFor('10.0.0.1', o), null);
  const p = mergePolicy(readPolicy(undefined), { thresholds: tiers });
  assert.deepEqual(tiersReached(p, { pps: 5, bps: 0 }, null, { tier1_pps: 2 }).map((t) => t.name), ['tier1']);
});

test('TTL per tier: the tier\'s own, then the per-name map, then the number', () => {
  const p = mergePolicy(readPolicy(undefined), { thresholds: tiers, ttl: { tier1: 300 } });
  assert.equal(tierTtl(p, p.thresholds[0]!), 300);
  assert.equal(tierTtl(p, p.thresholds[1]!), 120);
  assert.equal(tierTtl(mergePolicy(p, { ttl: 900 }), p.thresholds[0]!), 900);
});

test('stored policies missing newer keys get the defaults; garbage gives the default policy', () => {
  assert.equal(readPolicy('{"dry_run":true}').hold_down_seconds, 60);
  assert.equal(readPolicy('{"dry_run":true}').dry_run, true);
  assert.deepEqual(readPolicy('not json'), readPolicy(undefined));
  assert.deepEqual(policyProblems(readPolicy(undefined)), []);
});
