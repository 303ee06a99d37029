// Decides which channels hear about an incident event and puts one delivery per channel
// in the outbox. Channels that do not want the event are skipped; a maintenance window
// records the delivery as suppressed, so the history shows what was held back and why.
import { SEVERITIES, type ChannelFilters, type Severity } from '@breakwater/contracts';
import { channels, deliveries, fromJson, nodes, type ChannelRow, type Db, type IncidentRow } from '@breakwater/db';
import type { NotificationEvent } from '@breakwater/notify';
import type { Clock } from '../../clock.ts';
import { alertNodeOf, notificationOf, type IncidentContext } from './notification-of.ts';

export interface AlertRouterDeps {
  db: Db;
  clock: Clock;
  dashboardUrl: string | null;
  /** Called after enqueueing, so the outbox sends at once instead of at its next poll. */
  wake: () => void;
}

const rank = (s: string) => {
  const i = SEVERITIES.indexOf(s as Severity);
  return i < 0 ? 1 : i; // an unknown severity is treated as medium
};

export function channelWants(ch: ChannelRow, event: NotificationEvent, c: IncidentContext): boolean {
  if (event === 'test') return true;
  if (rank(c.incident.severity) < rank(ch.min_severity)) return false;
  const f = fromJson<ChannelFilters>(ch.filters, {});
  if (f.events && !f.events.includes(event)) return false;
  if (f.nodes && f.nodes.length > 0 && !f.nodes.includes(c.node.uuid)) return false;
  if (f.tags && f.tags.length > 0 && !f.tags.some((t) => c.node.tags.includes(t))) return false;
  return true;
}

export class AlertRouter {
  readonly #d: AlertRouterDeps;
  constructor(deps: AlertRouterDeps) {
    this.#d = deps;
  }

  /** incident.mitigated, told about the node the rule is on (its incident's when the rule has none). */
  async mitigated(incident: IncidentRow, nodeId: number, description: string): Promise<void> {
    const node = await nodes.getNodeRow(this.#d.db, nodeId);
    if (node) await this.emit('incident.mitigated', { incident, node: alertNodeOf(node), mitigation: description });
  }

  async emit(event: NotificationEvent, c: IncidentContext): Promise<number> {
    const { db, clock } = this.#d;
    const now = clock.now();
    const ws = c.incident.workspace_id;
    const targets = (await channels.enabledChannels(db, ws)).filter((ch) => channelWants(ch, event, c));
    if (targets.length === 0) return 0;
    // The first maintenance window covering the node, if any, holds every channel's message.
    const suppressed = (await deliveries.activeMaintenanceWindows(db, ws, now)).find((w) => {
      const nodes = fromJson<string[]>(w.nodes, []);
      return nodes.length === 0 || nodes.includes(c.node.uuid);
    });
    const message = notificationOf(event, c, now, this.#d.dashboardUrl);
    // Escalations can happen more than once: each new severity is its own message.
    const suffix = event === 'incident.escalated' ? `:${c.incident.severity}` : '';
    let queued = 0;
    for (const ch of targets) {
      const added = await deliveries.enqueueDelivery(db, {
        workspace_id: ws, channel_id: ch.id, incident_id: c.incident.id, event,
        dedup_key: `${ch.id}:${c.incident.uuid}:${event}${suffix}`,
        payload: JSON.stringify(message), status: suppressed ? 'suppressed' : 'pending', attempts: 0, next_attempt_at: now,
        lease_until: null, last_status_code: null, last_error: suppressed ? `suppressed by maintenance window "${suppressed.name}"` : null,
        delivered_to: '[]', created_at: now, delivered_at: null, updated_at: now,
      });
      if (added && !suppressed) queued++;
    }
    if (queued > 0) this.#d.wake();
    return queued;
  }

  /** A test message to one channel, through the same outbox as real ones. */
  async test(ch: ChannelRow, message: unknown): Promise<void> {
    const now = this.#d.clock.now();
    await deliveries.enqueueDelivery(this.#d.db, {
      workspace_id: ch.workspace_id, channel_id: ch.id, incident_id: null, event: 'test',
      dedup_key: `${ch.id}:test:${now}:${Math.random().toString(36).slice(2)}`, payload: JSON.stringify(message), status: 'pending',
      attempts: 0, next_attempt_at: now, lease_until: null, last_status_code: null, last_error: null, delivered_to: '[]', created_at: now, delivered_at: null, updated_at: now,
    });
    this.#d.wake();
  }
}
