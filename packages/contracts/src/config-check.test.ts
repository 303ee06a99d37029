import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { ConfigError, configProblems, validateConfig } from './config-check.ts';

const Schema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  level: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info' }),
  secure: Type.Boolean({ default: false }),
  token: Type.Optional(Type.String({ minLength: 32, echo: false })),
  url: Type.Optional(Type.String({ pattern: '^https?://', allowed: 'an http:// or https:// URL' })),
  login: Type.Object({ window: Type.Integer({ minimum: 1, maximum: 60, default: 15 }) }, { default: {} }),
}, { additionalProperties: false });

test('defaults fill what is left out, on a copy', () => {
  const input = {};
  assert.deepEqual(validateConfig(Schema, input), { port: 8080, level: 'info', secure: false, login: { window: 15 } });
  assert.deepEqual(input, {});
});

test('an error names the key, says what is allowed and what was given', () => {
  assert.throws(() => validateConfig(Schema, { port: 70000 }, { label: 'config ' }), /^Error: config port: must be an integer from 0 to 65535, got 70000$/);
  assert.throws(() => validateConfig(Schema, { login: { window: 0 } }), /login\.window: must be an integer from 1 to 60, got 0/);
  assert.throws(() => validateConfig(Schema, { level: 'loud' }), /level: must be one of info, debug, got "loud"/);
  assert.throws(() => validateConfig(Schema, { secure: 'yes' }), /secure: must be true or false, got "yes"/);
  assert.throws(() => validateConfig(Schema, { url: 'ftp://x' }), /url: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x"/);
});

test('unknown keys are named with the allowed ones; secrets are never repeated', () => {
  const problems = configProblems(Schema, { prot: 1, token: 'short-secret' });
  assert.deepEqual(problems.find((p) => p.unknown), { key: 'prot', message: 'unknown key (allowed: port, level, secure, token, url, login)', unknown: true });
  const token = problems.find((p) => p.key === 'token');
  assert.equal(token?.message, 'must be a string of at least 32 characters');
  assert.ok(!JSON.stringify(problems).includes('short-secret'));
  assert.ok(!JSON.stringify(configProblems(Schema, { url: 'ftp://secret' }, { echo: false })).includes('secret'));
});

test('rootKey prefixes every key', () => {
  try {
    validateConfig(Schema, { port: -1 }, { rootKey: 'options' });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.key, 'options.port');
  }
});

test('itemKeys names a list item; say and show put a config in its own words', () => {
  const Hosts = Type.Object({ hosts: Type.Array(Type.Object({ name: Type.String(), port: Type.Integer({ minimum: 1, maximum: 9 }) }, { additionalProperties: false })) });
  const input = { hosts: [{ name: 'a', port: 1 }, { port: 10 }] };
  assert.deepEqual(configProblems(Hosts, { hosts: [{ name: 'a', port: 10 }] }).map((p) => p.key), ['hosts']);
  const say = (s: { type?: string }, keyword: string) => (keyword === 'required' ? 'is required' : s.type === 'integer' ? 'must be an integer <= 9' : undefined);
  assert.deepEqual(configProblems(Hosts, input, { itemKeys: true, say, show: (v) => `<${String(v)}>` }), [
    { key: 'hosts[1].name', message: 'is required' },
    { key: 'hosts[1].port', message: 'must be an integer <= 9, got <10>' },
  ]);
});

test('a key missing or unknown inside a list item names the list and what it allows (not an unknown key)', () => {
  const Hosts = Type.Object({ hosts: Type.Array(Type.Object({ name: Type.String(), port: Type.Integer() }, { additionalProperties: false }), { allowed: 'a list of {name, port}' }) });
  assert.throws(() => validateConfig(Hosts, { hosts: [{ port: 1 }] }), (e: Error) => /^hosts: must be a list of \{name, port\}, got /.test(e.message) && !/unknown/.test(e.message));
  assert.throws(() => validateConfig(Hosts, { hosts: [{ name: 'a', port: 1, extra: true }] }), /^Error: hosts: must be a list of \{name, port\}/);
  assert.throws(() => validateConfig(Hosts, { hosts: [{ port: 1 }] }, { itemKeys: true }), /hosts\[0\]\.name: required/);
});
