import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationFor } from '../../testing/fixtures.ts';
import { pagerdutyEvent } from './pagerduty.ts';

const KEY = 'R0UT1NGkeyR0UT1NGkeyR0UT1NGkey12';

test('severities map to PagerDuty\'s four', () => {
  const want = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' } as const;
  for (const [ours, theirs] of Object.entries(want)) {
    const n = notificationFor('incident.opened');
    n.incident.severity = ours as keyof typeof want;
    assert.equal((pagerdutyEvent(n, KEY, 'd').payload as { severity: string }).severity, theirs);
  }
});

test('a test event never shares a real incident\'s dedup_key', () => {
  const t = pagerdutyEvent(notificationFor('test'), KEY, 'dlv-9');
  assert.equal(t.dedup_key, 'breakwater-test-dlv-9');
  assert.equal(t.event_action, 'trigger');
});

test('escalated and mitigated update the same alert (trigger, same dedup_key)', () => {
  const keys = (['incident.opened', 'incident.escalated', 'incident.mitigated'] as const).map((e) => pagerdutyEvent(notificationFor(e), KEY, e));
  assert.deepEqual(new Set(keys.map((k) => `${k.event_action}:${k.dedup_key}`)).size, 1);
});
