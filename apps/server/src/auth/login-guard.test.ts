import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from './credentials.ts';
import { LoginGuard } from './login-guard.ts';

const opts = { windowSeconds: 900, maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, maxConcurrentHashes: 2 };

test('an account is refused after its failures fill the window, until the oldest leaves it; case does not matter', () => {
  const g = new LoginGuard(opts);
  const t0 = 1_000_000;
  for (let i = 0; i < 3; i++) {
    assert.equal(g.refusal('Ann@Example.com', `10.0.0.${i}`, t0 + i * 1000), null);
    g.failed('Ann@Example.com', `10.0.0.${i}`, t0 + i * 1000);
  }
  const r = g.refusal(' ann@example.com', '10.9.9.9', t0 + 5000);
  assert.equal(r?.scope, 'account');
  assert.equal(r?.retryAfterSeconds, 895); // the first failure leaves the window at t0 + 900 s
  assert.match(r.message, /^Too many failed sign-ins for this account; try again in 895 s$/);
  assert.equal(g.refusal('ann@example.com', '10.9.9.9', t0 + 900_000), null);
  // a success forgives the account
  g.failed('bob@example.com', '10.1.1.1', t0);
  g.failed('bob@example.com', '10.1.1.2', t0);
  g.failed('bob@example.com', '10.1.1.3', t0);
  g.succeeded('BOB@example.com');
  assert.equal(g.refusal('bob@example.com', '10.1.1.4', t0 + 1), null);
});

test('an address is refused after failures on many accounts; a success elsewhere does not reset it', () => {
  const g = new LoginGuard(opts);
  for (let i = 0; i < 5; i++) g.failed(`user${i}@example.com`, '192.0.2.7', 1000 + i);
  g.succeeded('user0@example.com');
  const r = g.refusal('someone@example.com', '192.0.2.7', 2000);
  assert.equal(r?.scope, 'address');
  assert.match(r.message, /from this address/);
  assert.equal(g.refusal('someone@example.com', '192.0.2.8', 2000), null);
});

test('at most maxConcurrentHashes run at once; one more is refused at once, not queued', async () => {
  const g = new LoginGuard(opts);
  const release: (() => void)[] = [];
  const slow = () => new Promise<boolean>((resolve) => release.push(() => resolve(true)));
  const a = g.tryHash(slow);
  const b = g.tryHash(slow);
  let ran = false;
  assert.equal(await g.tryHash(async () => (ran = true)), undefined);
  assert.equal(ran, false);
  release.shift()!();
  assert.equal(await a, true);
  const c = g.tryHash(slow); // a slot is free again
  release.shift()!();
  release.shift()!();
  assert.deepEqual(await Promise.all([b, c]), [true, true]);
  // a failing hash frees its slot too
  await assert.rejects(g.tryHash(async () => Promise.reject(new Error('boom'))));
  await assert.rejects(g.tryHash(async () => Promise.reject(new Error('boom'))));
  assert.equal(await g.tryHash(async () => 'free'), 'free');
});

test('unknown accounts are verified against a real hash with the parameters of real ones (same cost)', async () => {
  const g = new LoginGuard(opts);
  const shape = (h: string) => {
    const [alg, n, r, p, salt, key] = h.split('$');
    return { alg, n, r, p, salt: Buffer.from(salt!, 'base64').length, key: Buffer.from(key!, 'base64').length };
  };
  assert.deepEqual(shape(await g.dummyHash()), shape(await hashPassword('a real password')));
  assert.equal(await g.dummyHash(), await g.dummyHash()); // made once
});

test('memory is bounded: past maxTracked keys the stalest are forgotten', () => {
  const g = new LoginGuard({ ...opts, maxFailuresPerAccount: 1, maxTracked: 10 });
  for (let i = 0; i < 50; i++) g.failed(`spray${i}@example.com`, `198.51.100.${i}`, 1000 + i);
  assert.equal(g.refusal('spray0@example.com', '203.0.113.1', 2000), null, 'forgotten');
  assert.equal(g.refusal('spray49@example.com', '203.0.113.1', 2000)?.scope, 'account', 'still remembered');
});
