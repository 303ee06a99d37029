// The schema form's draft model without a browser: values in and out as the API takes them, masked
// secrets kept, and the API's messages mapped to the field they name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNEL_CONFIG_SCHEMAS } from '@breakwater/contracts';
import { draftOf, fieldFor, fieldPaths, pathOfMessage, setDraft, valueOfDraft, type Draft, type JsonSchema } from '../src/components/schema-draft.ts';

const prom = CHANNEL_CONFIG_SCHEMAS.prometheus as unknown as JsonSchema;
const email = CHANNEL_CONFIG_SCHEMAS.email as unknown as JsonSchema;
const telegram = CHANNEL_CONFIG_SCHEMAS.telegram as unknown as JsonSchema;

test('a value goes through the draft and back as the API takes it', () => {
  const d = draftOf(email, { to: ['a@example.net', 'b@example.net'] });
  assert.deepEqual(d, { to: 'a@example.net\nb@example.net', from: '', smtp_url: '' });
  assert.deepEqual(valueOfDraft(email, d, '').value, { to: ['a@example.net', 'b@example.net'] }, 'empty optional keys are left out');
  const t = setDraft(draftOf(telegram, {}), ['chat_id'], '-1001234');
  assert.deepEqual(valueOfDraft(telegram, t, '').value, { chat_id: -1001234 }, 'an integer-or-string union sends a number when it reads as one');
  assert.deepEqual(valueOfDraft(telegram, setDraft(t, ['chat_id'], '@noc'), '').value, { chat_id: '@noc' });
});

test('a masked object secret is kept as its mask; an optional object left empty is left out', () => {
  const kept = draftOf(prom, { alertmanager_url: 'http://am:9093', basic_auth: '****' });
  assert.deepEqual(valueOfDraft(prom, kept, '').value, { alertmanager_url: 'http://am:9093', basic_auth: '****' });
  const none = draftOf(prom, { alertmanager_url: 'http://am:9093' });
  assert.deepEqual(valueOfDraft(prom, none, '').value, { alertmanager_url: 'http://am:9093' });
  const filled = setDraft(none, ['basic_auth', 'username'], 'am');
  assert.deepEqual(valueOfDraft(prom, filled, '').value, { alertmanager_url: 'http://am:9093', basic_auth: { username: 'am' } });
});

test('lists of objects, JSON boxes, and messages at the field they name', () => {
  const schema: JsonSchema = { type: 'object', properties: {
    patterns: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, hex: { type: 'string' } } } },
    headers: { type: 'object', patternProperties: { '^.*$': { type: 'string' } } },
  } };
  let d: Draft = draftOf(schema, { patterns: [{ id: 'a', hex: '00ff' }] });
  d = setDraft(d, ['patterns', '1'], draftOf(schema.properties!.patterns!.items!, undefined));
  d = setDraft(d, ['patterns', '1', 'id'], 'b');
  d = setDraft(d, ['headers'], '{"x": ');
  const invalid: Record<string, string> = {};
  const out = valueOfDraft(schema, d, '', invalid, 'settings');
  assert.deepEqual(out.value, { patterns: [{ id: 'a', hex: '00ff' }, { id: 'b' }] });
  assert.deepEqual(invalid, { headers: 'settings.headers: not valid JSON' });
  const fields = new Set(fieldPaths(schema, d));
  assert.deepEqual([...fields], ['patterns', 'patterns.0.id', 'patterns.0.hex', 'patterns.1.id', 'patterns.1.hex', 'headers']);
  assert.equal(fieldFor(pathOfMessage('settings.patterns.1.hex: must match pattern', 'settings')!, fields), 'patterns.1.hex');
  assert.equal(fieldFor(pathOfMessage('settings.headers.x: must be string', 'settings')!, fields), 'headers', 'a key inside a JSON box lands on the box');
  assert.equal(pathOfMessage('steps[1].action_config.url: must be a uri'), 'steps.1.action_config.url');
  assert.equal(pathOfMessage('name: is required', 'settings'), null, 'another part of the body is not this form\'s');
  assert.equal(pathOfMessage('Channel not found'), null);
});

test('a date-time is edited as local time and sent as the instant it names', () => {
  const schema: JsonSchema = { type: 'object', properties: { starts_at: { type: 'string', format: 'date-time' } } };
  const at = Date.parse('2026-12-07T18:30:00.000Z');
  const d = draftOf(schema, { starts_at: new Date(at).toISOString() });
  assert.match((d as Record<string, string>).starts_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
  assert.deepEqual(valueOfDraft(schema, d, '').value, { starts_at: new Date(at).toISOString() });
});
