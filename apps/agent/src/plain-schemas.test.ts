// The plain schema copies the agent checks with (no TypeBox at run time) are current, and contracts'
// plain checker says what TypeBox says of them: the same value with defaults, or the same errors.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import type { TSchema } from 'typebox';
import { Format } from 'typebox/format';
import { Check } from 'typebox/schema';
import { COMMAND_PARAMS, COMMAND_TYPES } from '@breakwater/contracts';
import { ConfigError, validateConfig, type ConfigCheckOptions } from '@breakwater/contracts/config-check';
import { COMMAND_PARAMS_PLAIN, schemaCheck, validatePlainConfig, type JsonSchema } from '@breakwater/contracts/plain';
import { DETECTION_CONFIG_PLAIN, DetectionConfigSchema, HTTP_DETECTION_CONFIG_PLAIN, HttpDetectionConfigSchema } from '@breakwater/detection/schemas';
import { plainSchemaFiles, stalePlainSchemas } from '../scripts/plain-schemas.ts';
import { AgentConfigSchema } from './agent-config-schema.ts';
import { AGENT_CONFIG_PLAIN } from './agent-config-schema.generated.ts';
import { HttpAgentConfigSchema } from './http/http-config-schema.ts';
import { HTTP_AGENT_CONFIG_PLAIN } from './http/http-config-schema.generated.ts';

test('the generated plain schemas are current (else: node apps/agent/scripts/plain-schemas.ts)', () => {
  assert.equal(plainSchemaFiles().length, 5);
  assert.deepEqual(stalePlainSchemas(), []);
});

type S = { [k: string]: unknown };

/** Values near what a schema allows, and off it: bounds ±1, wrong types, unknown keys, missing keys. */
function near(s: S, depth = 0): fc.Arbitrary<unknown> {
  const any = fc.jsonValue({ maxDepth: 2 });
  if (depth > 3) return any;
  let own: fc.Arbitrary<unknown> = any;
  if (Array.isArray(s.anyOf)) own = fc.oneof(...(s.anyOf as S[]).map((b) => near(b, depth + 1)), fc.constant('none-of-these'));
  else if (s.type === 'object' && s.properties) {
    const props = s.properties as Record<string, S>;
    const entries = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, near(p, depth + 1)]));
    own = fc.tuple(fc.record(entries, { requiredKeys: [] }), fc.option(fc.constantFrom('unknown_key', 'Interface', '__proto__x'), { freq: 4 }))
      .map(([o, extra]) => (extra === null ? o : { ...o, [extra]: 1 }));
  } else if (s.type === 'object') own = fc.dictionary(fc.string({ maxLength: 6 }), any, { maxKeys: 3 });
  else if (s.type === 'array') own = fc.array(near((s.items ?? {}) as S, depth + 1), { maxLength: 4 });
  else if (s.type === 'integer' || s.type === 'number') {
    const lo = typeof s.minimum === 'number' ? s.minimum : -10;
    const hi = typeof s.maximum === 'number' ? s.maximum : 10;
    own = fc.oneof(fc.constantFrom(lo, hi, lo - 1, hi + 1, lo + 0.5, 0), fc.integer({ min: -5, max: 100_000 }));
  } else if (s.type === 'string') own = fc.oneof(fc.constantFrom('/var/x', 'eth0', '', 'auto', 'a'.repeat(70), '127.0.0.1:9101', 'https://x'), fc.string({ maxLength: 8 }));
  else if (s.type === 'boolean') own = fc.boolean();
  else if ('const' in s) own = fc.constant(s.const);
  return fc.oneof({ arbitrary: own, weight: 6 }, { arbitrary: any, weight: 1 });
}

type Outcome = { ok: true; value: unknown } | { ok: false; message: string; problems: unknown };
const outcome = (f: () => unknown): Outcome => {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { ok: false, message: e.message, problems: e.problems };
  }
};

const PAIRS: [string, TSchema, JsonSchema, ConfigCheckOptions & { label?: string }][] = [
  ['agent config', AgentConfigSchema, AGENT_CONFIG_PLAIN, {}],
  ['agent http config', HttpAgentConfigSchema, HTTP_AGENT_CONFIG_PLAIN, { label: 'http.', itemKeys: true }],
  ['detection config', DetectionConfigSchema, DETECTION_CONFIG_PLAIN, { noun: 'parameter', itemKeys: true }],
  ['HTTP detection config', HttpDetectionConfigSchema, HTTP_DETECTION_CONFIG_PLAIN, { label: 'http.detection.' }],
];

for (const [name, typebox, plain, opts] of PAIRS) {
  test(`${name}: the plain checker gives TypeBox's defaults and TypeBox's errors`, () => {
    // The defaults of an empty document, and of every sub-object, exactly.
    assert.deepEqual(outcome(() => validatePlainConfig(plain, {}, opts)), outcome(() => validateConfig(typebox, {}, opts)));
    // Keys named __proto__, prototype or constructor aside: TypeBox's copy drops them (the plain
    // one keeps them, and names them as unknown keys; below).
    fc.assert(fc.property(near(plain).filter((v) => !/"(__proto__|prototype|constructor)"/.test(JSON.stringify(v ?? null))), (input) => {
      assert.deepEqual(outcome(() => validatePlainConfig(plain, input, opts)), outcome(() => validateConfig(typebox, input, opts)));
    }), { numRuns: 400 });
  });
}

test('a "__proto__" or "prototype" key in a config file is an unknown key, not a prototype nor ignored', () => {
  for (const key of ['__proto__', 'prototype']) {
    const input: unknown = JSON.parse(`{"server_url":"https://x","node_uuid":"0","api_key":"0","${key}":{"allow_raw_commands":true}}`);
    assert.throws(() => validatePlainConfig(AGENT_CONFIG_PLAIN, input), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.key === key && p.unknown === true));
  }
});

test('commands: the plain checker accepts and refuses the params TypeBox does', () => {
  // As the server checks them: `ip` is an IPv4 or IPv6 address.
  Format.Set('ip', (s) => isIP(s) !== 0);
  try {
    for (const type of COMMAND_TYPES) {
      const plain = COMMAND_PARAMS_PLAIN[type];
      fc.assert(fc.property(near(plain), (params) => {
        assert.equal(schemaCheck(plain, params), Check(COMMAND_PARAMS[type], params), `${type} ${JSON.stringify(params)}`);
      }), { numRuns: 100 });
    }
    assert.equal(schemaCheck(COMMAND_PARAMS_PLAIN.block_source, { address: '203.0.113.9' }), true);
    assert.equal(schemaCheck(COMMAND_PARAMS_PLAIN.block_source, { address: 'not-an-ip' }), false);
  } finally {
    Format.Reset();
  }
});
