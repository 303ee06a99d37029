import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonNestsDeeperThan } from './json-body.ts';

test('nesting depth counts objects and arrays, not brackets inside strings or escaped quotes', () => {
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":1}]}', 3), false);
  assert.equal(jsonNestsDeeperThan('{"a":[{"b":1}]}', 2), true);
  assert.equal(jsonNestsDeeperThan('{"a":"[[[[[[{{{{{"}', 1), false);
  assert.equal(jsonNestsDeeperThan('{"a":"\\"[[[[","b":1}', 1), false);
  assert.equal(jsonNestsDeeperThan('{"x":'.repeat(5000) + '1' + '}'.repeat(5000), 64), true);
  assert.equal(jsonNestsDeeperThan('[1,2,3]', 1), false);
  assert.equal(jsonNestsDeeperThan('"plain"', 0), false);
});
