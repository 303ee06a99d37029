import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, parseConfig, resolveConfig, DetectionConfigError } from './validate.ts';
import { DetectionConfigSchema } from './schema.ts';

const errorsOf = (input: unknown) => {
  const r = resolveConfig(input);
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.ok ? [] : r.errors.map((e) => e.message);
};

void test('an empty config is valid and every default is filled in from the schema', () => {
  const c = defaultConfig();
  assert.equal(c.windowMs, 1000);
  assert.equal(c.thresholds.pps, 50_000);
  assert.equal(c.baseline.percentile, 99);
  assert.equal(c.hysteresis.cooldownMs, 15_000);
  assert.deepEqual(c.classification.httpPorts, [80, 443, 8080, 8443]);
  assert.deepEqual(c.overrides, []);
  // The defaults come from the schema the server publishes, not from a second copy.
  const schemaPps = (DetectionConfigSchema.properties.thresholds.properties.pps as { default?: number }).default;
  assert.equal(c.thresholds.pps, schemaPps);
});

void test('a partial config keeps the given values and defaults the rest', () => {
  const c = parseConfig({ thresholds: { pps: 7 }, hysteresis: { resolveRatio: 0.5 } });
  assert.equal(c.thresholds.pps, 7);
  assert.equal(c.thresholds.bps, 1_000_000_000);
  assert.equal(c.hysteresis.resolveRatio, 0.5);
  assert.equal(c.hysteresis.cooldownMs, 15_000);
});

void test('messages name the parameter path, what is allowed and what was given', () => {
  assert.deepEqual(errorsOf({ thresholds: { pps: -3 } }), ['thresholds.pps: must be an integer >= 1, got -3']);
  assert.deepEqual(errorsOf({ thresholds: { pps: 1.5 } }), ['thresholds.pps: must be an integer >= 1, got 1.5']);
  assert.deepEqual(errorsOf({ hysteresis: { cooldownMs: 'soon' } }), ['hysteresis.cooldownMs: must be an integer between 0 and 3600000, got "soon"']);
  assert.deepEqual(errorsOf({ hysteresis: { resolveRatio: 2 } }), ['hysteresis.resolveRatio: must be a number between 0.05 and 1, got 2']);
  assert.deepEqual(errorsOf({ baseline: { enabled: 'yes' } }), ['baseline.enabled: must be true or false, got "yes"']);
  assert.deepEqual(errorsOf({ thresholds: 5 }), ['thresholds: must be an object, got 5']);
  assert.deepEqual(errorsOf({ classification: { httpPorts: [80, 70000] } }), ['classification.httpPorts[1]: must be an integer between 1 and 65535, got 70000']);
  assert.deepEqual(errorsOf({ windowMs: Number.NaN }), ['windowMs: must be an integer between 100 and 60000, got NaN']);
});

void test('unknown parameters are rejected with the allowed names (typos must not pass silently)', () => {
  const [msg] = errorsOf({ thresholds: { ppps: 10 } });
  assert.match(msg ?? '', /^thresholds\.ppps: unknown parameter \(allowed: pps, bps, tcpPps/);
});

void test('every problem is reported at once', () => {
  assert.equal(errorsOf({ thresholds: { pps: 0, bps: -1 }, windowMs: 5 }).length, 3);
});

void test('cross-field rules: severity ratios in order, bucket minimum within capacity', () => {
  assert.deepEqual(errorsOf({ severity: { medium: 2, high: 1.5 } }), ['severity.high: must be >= severity.medium (2), got 1.5']);
  assert.deepEqual(errorsOf({ severity: { critical: 2 } }), ['severity.critical: must be >= severity.high (3), got 2']);
  assert.deepEqual(errorsOf({ baseline: { minBucketSamples: 500, bucketCapacity: 100 } }), [
    'baseline.bucketCapacity: must be >= baseline.minBucketSamples (500), got 100',
  ]);
});

void test('overrides: match must be an address or prefix; values are checked; no defaults leak in', () => {
  assert.deepEqual(errorsOf({ overrides: [{ match: '203.0.113.0/33' }] }), [
    'overrides[0].match: must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.0/24), got "203.0.113.0/33"',
  ]);
  assert.deepEqual(errorsOf({ overrides: [{ match: '2001:db8::/32', thresholds: { pps: 0 } }] }), [
    'overrides[0].thresholds.pps: must be an integer >= 1, got 0',
  ]);
  assert.deepEqual(errorsOf({ overrides: [{ thresholds: {} }] }), ['overrides[0].match: is required']);
  const c = parseConfig({ overrides: [{ match: '2001:db8::1', thresholds: { pps: 9 } }] });
  assert.deepEqual(c.overrides[0]?.thresholds, { pps: 9 });
});

void test('parseConfig throws a DetectionConfigError carrying every error', () => {
  assert.throws(
    () => parseConfig({ thresholds: { pps: -3 } }),
    (e: unknown) => e instanceof DetectionConfigError && e.errors[0]?.path === 'thresholds.pps' && /got -3/.test(e.message),
  );
});
