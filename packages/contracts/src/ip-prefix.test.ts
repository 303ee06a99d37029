import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress, parsePrefix, prefixContains } from './ip-prefix.ts';

void test('IPv4 and IPv6 addresses and prefixes', () => {
  assert.equal(parseAddress('203.0.113.10')?.value, 0xcb00710an);
  assert.equal(parseAddress('256.0.0.1'), null);
  assert.equal(parseAddress('2001:db8::1')?.value, (0x20010db8n << 96n) | 1n);
  assert.equal(parseAddress('::ffff:192.0.2.1')?.value, (0xffffn << 32n) | 0xc0000201n);
  assert.equal(parseAddress('1::2::3'), null);
  assert.equal(parseAddress('1:2:3:4:5:6:7:8:9'), null);
  assert.equal(parsePrefix('203.0.113.77/24')?.bits, 0xcb007100n, 'host bits are masked');
  assert.equal(parsePrefix('203.0.113.0/33'), null);
  assert.equal(parsePrefix('x/24'), null);
});

void test('containment respects the family and the prefix length', () => {
  const p = parsePrefix('203.0.113.0/24');
  assert.ok(p);
  assert.equal(prefixContains(p, '203.0.113.200'), true);
  assert.equal(prefixContains(p, '203.0.114.1'), false);
  assert.equal(prefixContains(p, '2001:db8::1'), false);
  const v6 = parsePrefix('2001:db8::/32');
  assert.ok(v6);
  assert.equal(prefixContains(v6, '2001:db8:ffff::1'), true);
  assert.equal(prefixContains(v6, '2001:db9::1'), false);
  const all = parsePrefix('0.0.0.0/0');
  assert.ok(all);
  assert.equal(prefixContains(all, '8.8.8.8'), true);
});
