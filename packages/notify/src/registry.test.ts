import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNEL_TYPES } from '@breakwater/contracts';
import { CHANNEL_FACTORIES, ChannelConfigError, createChannel } from './registry.ts';

const deps = { fetch: () => Promise.reject(new Error('no network in this test')), now: () => 0, timeoutMs: 1000 };

test('every contract channel type has a factory', () => {
  assert.deepEqual(Object.keys(CHANNEL_FACTORIES).sort(), [...CHANNEL_TYPES].sort());
});

test('a config error names the key and the rule, never the value', () => {
  try {
    createChannel('pagerduty', { routing_key: 'short-secret-value', extra: 1 }, deps);
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ChannelConfigError);
    assert.match(err.message, /routing_key/);
    assert.match(err.message, /unknown key extra/);
    assert.doesNotMatch(err.message, /short-secret-value/);
    assert.equal(err.status, 400);
  }
});

test('an unknown type lists the allowed ones', () => {
  assert.throws(() => createChannel('pigeon', {}, deps), /must be one of discord, slack/);
});

test('creating a channel does no I/O', () => {
  let calls = 0;
  const counting = { ...deps, fetch: () => { calls++; return Promise.reject(new Error('x')); } };
  createChannel('slack', { webhook_url: 'https://hooks.slack.com/services/T/B/X' }, counting);
  createChannel('email', { to: ['noc@example.com'], smtp_url: 'smtp://127.0.0.1:1' }, counting);
  assert.equal(calls, 0);
});
