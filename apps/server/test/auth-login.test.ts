// Sign-in limits over HTTP: per account and per address, 429 with Retry-After before any
// password is hashed, unknown accounts treated exactly like known ones, lifted as time passes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sqliteBackend } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

// Limits live in memory and do not depend on the storage engine: one backend is enough.
describe('sign-in limits', () => {
  let t: TestServer;
  const login = (email: string, password: string) => t.request('POST', '/api/dash/login', { token: null, body: { email, password } });
  const nextWindow = () => t.clock.advance(900_001);

  before(async () => {
    t = await startTestServer(sqliteBackend, { login: { windowSeconds: 900, maxFailuresPerAccount: 3, maxFailuresPerAddress: 8, maxConcurrentHashes: 4 } });
  });
  after(async () => t.stop());

  test('an account is locked after its failures, even for the right password, and unlocked when the window passes', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login(t.admin.email, `wrong-${i}`)).status, 401);
    const locked = await login(t.admin.email.toUpperCase(), t.admin.password);
    assert.equal(locked.status, 429);
    assert.equal(errorCode(locked), 'too_many_attempts');
    assert.match(locked.body.error.message, /^Too many failed sign-ins for this account; try again in \d+ s$/);
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 900, String(retry));
    t.clock.advance(retry * 1000);
    assert.equal((await login(t.admin.email, t.admin.password)).status, 200);
    nextWindow();
  });

  test('unknown accounts lock exactly like known ones (no hint which emails exist)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) known.push((await login(t.admin.email, 'nope')).status);
    const ghost = [];
    for (let i = 0; i < 4; i++) ghost.push(await login('ghost@example.com', 'nope'));
    unknown.push(...ghost.map((r) => r.status));
    assert.deepEqual(known, [401, 401, 401, 429]);
    assert.deepEqual(unknown, known);
    assert.match(ghost[3]!.body.error.message, /for this account/);
    nextWindow();
  });

  test('an address is refused after failures spread over many accounts', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await login(`spray${i}@example.com`, 'nope')).status, 401);
    const r = await login(t.admin.email, t.admin.password);
    assert.equal(r.status, 429);
    assert.match(r.body.error.message, /from this address/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    nextWindow();
    assert.equal((await login(t.admin.email, t.admin.password)).status, 200);
  });

  test('a refused attempt costs no password hash: many of them answer while a lock holds', async () => {
    for (let i = 0; i < 3; i++) await login(t.admin.email, 'nope');
    // Were they hashed, 20 at once against 4 slots would give 503s, and the right password 200s.
    const replies = await Promise.all(Array.from({ length: 20 }, () => login(t.admin.email, t.admin.password)));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([429]));
    nextWindow();
  });
});
