import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earliestWithdrawAt, reannounceRefusal, withdrawWait } from './flap-guard.ts';

test('a diversion is not withdrawn before the provider documents it in place', () => {
  const at = earliestWithdrawAt(1_000_000, { advertise_seconds: 420 });
  assert.equal(at, 1_000_000 + 420_000);
  assert.equal(withdrawWait({ earliest_withdraw_at: at }, at - 1), at);
  assert.equal(withdrawWait({ earliest_withdraw_at: at }, at), null);
  assert.equal(earliestWithdrawAt(5, null), 5, 'a type that takes effect at once may be withdrawn at once');
});

test('the same target is not announced again while withdrawing or within the hold-down', () => {
  const ended = { state: 'idle', ended_at: 10_000, target: '198.51.100.0/24' };
  assert.match(reannounceRefusal({ ...ended, state: 'withdrawing', ended_at: null }, 10_000, 60) ?? '', /still being withdrawn/);
  assert.match(reannounceRefusal(ended, 10_000 + 59_999, 60) ?? '', /hold-down of 60 s \(1 s from now\)/);
  assert.equal(reannounceRefusal(ended, 10_000 + 60_000, 60), null);
  assert.equal(reannounceRefusal(undefined, 0, 60), null);
  assert.equal(reannounceRefusal(ended, 10_001, 0), null, 'no hold-down: at once');
});
