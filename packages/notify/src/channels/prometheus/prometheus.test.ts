import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationFor } from '../../testing/fixtures.ts';
import { alertmanagerAlerts, FIRING_HOLD_MS } from './prometheus.ts';

const NOW = Date.parse('2026-05-04T10:12:05Z');

test('an escalation ends the alert of the old severity and fires the new one', () => {
  const [old, current] = alertmanagerAlerts(notificationFor('incident.escalated'), NOW);
  assert.equal((old?.labels as Record<string, string>).severity, 'high');
  assert.equal(old?.endsAt, '2026-05-04T10:12:03.000Z');
  assert.equal((current?.labels as Record<string, string>).severity, 'critical');
  assert.equal(current?.endsAt, new Date(NOW + FIRING_HOLD_MS).toISOString());
});

test('resolve keeps the firing label set, so Alertmanager resolves the same alert', () => {
  const opened = notificationFor('incident.opened');
  opened.incident.severity = 'critical';
  const [firing] = alertmanagerAlerts(opened, NOW);
  const [resolved] = alertmanagerAlerts(notificationFor('incident.resolved'), NOW);
  assert.deepEqual(resolved?.labels, firing?.labels);
  assert.equal(resolved?.startsAt, firing?.startsAt);
});
