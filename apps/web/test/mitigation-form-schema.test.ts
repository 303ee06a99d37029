// The mitigation forms' additions to the schema form: which keys a form asks, FlowSpec ranges typed
// as text, and the API's messages split by the key each names (both spellings the server uses).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formSchema, parseRanges, problemAt, problemsByKey, rangesText, unclaimed } from '../src/pages/mitigation/form-schema.ts';

const apiError = (message: string) => Object.assign(new Error(message), { status: 400 });

test('a key with a default is not required of the operator; keys keep the order asked', () => {
  const s = formSchema({ properties: { a: { type: 'string' }, b: { type: 'integer', default: 3 }, c: { type: 'string' } }, required: ['a', 'b', 'c'] }, { keys: ['c', 'a', 'b'], patch: { a: { description: 'the a' } } });
  assert.deepEqual(Object.keys(s.properties ?? {}), ['c', 'a', 'b']);
  assert.deepEqual(s.required, ['a', 'c']);
  assert.equal(s.properties!.a!.description, 'the a');
  assert.deepEqual(Object.keys(formSchema({ properties: { a: {}, b: {} } }, { omit: ['a'] }).properties ?? {}), ['b']);
});

test('ranges: values and from-to pairs; what does not read as one is sent as typed, for the API to name', () => {
  assert.deepEqual(parseRanges('53, 1024-65535'), [{ from: 53, to: 53 }, { from: 1024, to: 65535 }]);
  assert.deepEqual(parseRanges(' 70000 '), [{ from: 70000, to: 70000 }]);
  assert.deepEqual(parseRanges('53,x'), [{ from: 53, to: 53 }, 'x']);
  assert.equal(parseRanges('  '), undefined);
  assert.equal(rangesText([{ from: 53, to: 53 }, { from: 1, to: 9 }]), '53, 1-9');
});

test('problems by key: schema paths, the policy\'s bracketed paths, several joined by "; "', () => {
  const p = problemsByKey(apiError('thresholds[0].adapter_id: required for the blackhole action; thresholds.1.pps: must be >= 1; geo_lockdown.countries: give at least one country code when enabled'));
  assert.equal(problemAt(p, 'thresholds.0.adapter_id'), 'thresholds[0].adapter_id: required for the blackhole action');
  assert.equal(problemAt(p, 'thresholds.1.pps'), 'thresholds.1.pps: must be >= 1');
  assert.equal(problemAt(p, 'thresholds.1'), 'thresholds.1.pps: must be >= 1');
  assert.equal(problemAt(p, 'thresholds.2.pps'), null);
  assert.equal(unclaimed(apiError('x'), p, (k) => k.startsWith('thresholds.')), 'geo_lockdown.countries: give at least one country code when enabled');
  // A message naming no key belongs to the whole form.
  const none = problemsByKey(apiError('Adapter not found'));
  assert.equal(none.size, 0);
  assert.equal(unclaimed(apiError('Adapter not found'), none, () => true), 'Adapter not found');
  assert.equal(problemsByKey(new Error('not from the API')).size, 0);
});
