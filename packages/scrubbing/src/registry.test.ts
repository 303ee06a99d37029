// The registry covers every type, and every factory answers a config it cannot use with a
// ScrubbingError of kind config naming a key (never a crash, never a secret), before any I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRUBBING_CONFIG_SCHEMAS, SCRUBBING_TYPES, scrubbingSecretKeys } from '@breakwater/contracts';
import { SCRUBBING_FACTORIES, createScrubbingProvider } from './registry.ts';
import { ScrubbingError } from './errors.ts';

const deps = { now: () => 0, timeoutMs: 1000, fetch: () => Promise.reject(new Error('no I/O here')) };

test('every type has a factory and a config schema, and nothing else does', () => {
  assert.deepEqual(Object.keys(SCRUBBING_FACTORIES).sort(), [...SCRUBBING_TYPES].sort());
  assert.deepEqual(Object.keys(SCRUBBING_CONFIG_SCHEMAS).sort(), [...SCRUBBING_TYPES].sort());
});

test('every type marks at least one credential secret', () => {
  for (const type of SCRUBBING_TYPES) assert.ok(scrubbingSecretKeys(type).length > 0, type);
});

test('every factory refuses an empty or wrong config with a config error naming a key', () => {
  for (const type of SCRUBBING_TYPES) {
    for (const config of [{}, null, { nope: 'sekret-value-123' }]) {
      let err: unknown = null;
      try { createScrubbingProvider(type, config, deps); } catch (e) { err = e; }
      assert.ok(err instanceof ScrubbingError, `${type}: ${String(err)}`);
      assert.equal(err.kind, 'config', `${type}: ${err.message}`);
      assert.match(err.message, /^config(\.[\w.[\]]+)?: /, `${type}: ${err.message}`);
      assert.ok(!err.message.includes('sekret-value-123'), `${type} echoes a value`);
    }
  }
});
