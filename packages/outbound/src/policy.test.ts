import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress } from './address-class.ts';
import { checkHost, checkUrl, refusalOf, refusalOfHost } from './policy.ts';
import { replyReason, statusLine } from './reply-reason.ts';

test('addresses are classed, IPv4 inside IPv6 by the IPv4 address', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'], ['2001:4860:4860::8888', 'public'],
    ['127.0.0.1', 'loopback'], ['127.9.9.9', 'loopback'], ['::1', 'loopback'], ['0.0.0.0', 'loopback'], ['::', 'loopback'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'], ['fd12::1', 'private'],
    ['172.32.0.1', 'public'],
    ['169.254.1.1', 'link_local'], ['fe80::1', 'link_local'], ['fe80::1%eth0', 'link_local'],
    ['169.254.169.254', 'metadata'], ['fd00:ec2::254', 'metadata'], ['100.100.100.200', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'], ['::ffff:a9fe:a9fe', 'metadata'], ['[::ffff:127.0.0.1]', 'loopback'], ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'], ['224.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'], ['ff02::1', 'reserved'], ['not-an-ip', 'reserved'],
  ];
  for (const [addr, cls] of cases) assert.equal(classifyAddress(addr), cls, addr);
});

test('grants open loopback and private ranges only; link-local and metadata never', () => {
  assert.equal(refusalOf('8.8.8.8', []), null);
  assert.match(refusalOf('127.0.0.1', [])!.message, /loopback.*does not allow/);
  assert.equal(refusalOf('127.0.0.1', ['loopback']), null);
  assert.ok(refusalOf('10.0.0.1', ['loopback']));
  assert.equal(refusalOf('10.0.0.1', ['private']), null);
  for (const a of ['169.254.169.254', '169.254.10.10', 'fe80::1', '100.100.100.200']) assert.match(refusalOf(a, ['loopback', 'private'])!.message, /never calls/, a);
});

test('URL hosts are judged as the URL parser reads them (decimal, octal, bracketed forms)', async () => {
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.google.internal/computeMetadata/v1/']) {
    assert.match((await checkUrl(url, ['loopback', 'private'], async () => []))!, /metadata/, url);
  }
  assert.match((await checkUrl('ftp://example.com/', []))!, /http/);
  assert.ok(refusalOfHost('METADATA.GOOGLE.INTERNAL.', ['private']));
});

test('a name is refused when any address it resolves to is refused; one that does not resolve is left to the call', async () => {
  const resolve = async (h: string) => (h === 'rebind.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }] : h === 'inside.test' ? [{ address: '10.0.0.7', family: 4 }] : Promise.reject(new Error('ENOTFOUND')));
  assert.match((await checkHost('rebind.test', ['private'], resolve))!.message, /rebind\.test \(169\.254\.169\.254\).*metadata/);
  assert.match((await checkHost('inside.test', [], resolve))!.message, /private/);
  assert.equal(await checkHost('inside.test', ['private'], resolve), null);
  assert.equal(await checkHost('nowhere.test', [], resolve), null);
  // The real resolver: localhost is this machine.
  assert.match((await checkHost('localhost', []))!.message, /loopback/);
});

test('a reply is shown as its status and a short printable reason from an error field, never its body', () => {
  assert.equal(statusLine(404, '<html>secret internal page</html>'), 'HTTP 404');
  assert.equal(statusLine(403, 'invalid_token'), 'HTTP 403: invalid_token');
  assert.equal(statusLine(400, JSON.stringify({ error: { message: 'bad\u202Eroute\u0000 key abcd1234secret' } }), ['abcd1234secret']), 'HTTP 400: bad route key [redacted]');
  assert.equal(replyReason(JSON.stringify({ message: 'x'.repeat(500) })).length, 120);
  assert.equal(replyReason(JSON.stringify({ Code: 'Success', AccessKeyId: 'AKIA…', SecretAccessKey: 'shh' })), '');
  assert.equal(replyReason(JSON.stringify({ errors: [{ code: 10000, message: 'Authentication error' }] })), 'Authentication error');
});
