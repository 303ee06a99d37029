// The signer against AWS's own published examples, so the fake's check is not the only judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signRequest, signingKey } from './sigv4.ts';

const when = Date.UTC(2015, 7, 30, 12, 36, 0);

test('get-vanilla from the SigV4 test suite', () => {
  const s = signRequest({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '', region: 'us-east-1', service: 'service', now: when },
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
  assert.equal(s.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  assert.equal(s.headers.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
});

test('the IAM ListUsers example: signing key and signature', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  assert.equal(signingKey(secret, '20150830', 'us-east-1', 'iam').toString('hex'), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  const s = signRequest({
    method: 'GET', url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: '', region: 'us-east-1', service: 'iam', now: when,
  }, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret });
  assert.equal(s.signature, '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
});

test('a session token is signed and sent', () => {
  const s = signRequest({ method: 'POST', url: 'https://shield.us-east-1.amazonaws.com/', headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}', region: 'us-east-1', service: 'shield', now: when },
    { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'x'.repeat(40), sessionToken: 'tok' });
  assert.equal(s.headers['x-amz-security-token'], 'tok');
  assert.match(s.headers.authorization!, /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/);
});
