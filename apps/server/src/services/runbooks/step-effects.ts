// The server's side of the steps' StepEffects for one execution: firewall rules through the
// mitigation service (agent commands, allowlist, TTL, the rule list), messages through the alert
// outbox, diversions and Cloudflare's security level through the scrubbing service. Everything is
// owned by "runbook:<runbook id>:<execution id>" so the rule list and the diversions say who did it.
import type { FirewallIntent } from '@breakwater/contracts';
import { channels, deliveries, mitigation as rulesRepo, nodes, type Db, type IncidentRow, type NodeRow } from '@breakwater/db';
import type { StepEffects } from '@breakwater/runbooks';
import type { NotificationEvent } from '@breakwater/notify';
import type { Clock } from '../../clock.ts';
import { alertNodeOf, notificationOf } from '../alerting/notification-of.ts';
import type { MitigationService } from '../mitigation/mitigation-service.ts';
import { disableForRunbook, enableForRunbook, type DiversionDeps } from '../scrubbing/diversions.ts';
import type { OutboundReach } from '@breakwater/contracts';
import type { FetchLike } from '@breakwater/outbound';

export interface EffectDeps {
  db: Db;
  clock: Clock;
  mitigation: MitigationService;
  diversions: DiversionDeps;
  /** Sends queued deliveries now rather than at the outbox's next poll. */
  wakeOutbox: () => void;
  outbound: { reach: readonly OutboundReach[]; fetch?: FetchLike; userAgent?: string };
  dashboardUrl: string | null;
}

export interface ExecutionScope {
  workspaceId: string;
  runbookId: string;
  runbookName: string;
  executionId: string;
  event: string | null;
  incident: IncidentRow | null;
  node: NodeRow | null;
}

export const ownerOf = (s: Pick<ExecutionScope, 'runbookId' | 'executionId'>) => `runbook:${s.runbookId}:${s.executionId}`;

const EVENTS: Record<string, NotificationEvent> = { opened: 'incident.opened', escalated: 'incident.escalated', resolved: 'incident.resolved' };

function syntheticIncident(s: ExecutionScope, now: number): IncidentRow {
  return {
    id: 0, uuid: s.executionId, workspace_id: s.workspaceId, node_id: s.node?.id ?? 0, status: 'active', attack_family: 'udp_flood', attack_subtype: null, severity: 'medium',
    peak_pps: 0, peak_bps: 0, source_ip_count: null, spoofing_detected: 0, botnet_detected: 0, confidence: null, protocol_breakdown: '{}', tcp_flag_breakdown: '{}',
    geo_breakdown: '{}', top_src_ips: '[]', top_dst_ports: '[]', ioc_matches: '[]', extra: '{}', summary: `Test run of runbook ${s.runbookName}`, started_at: now, updated_at: now,
    resolved_at: null, duration_seconds: null,
  };
}

export function stepEffects(d: EffectDeps, s: ExecutionScope): StepEffects {
  const owner = ownerOf(s);
  return {
    outbound: d.outbound,
    async firewall(r) {
      const target = String(r.params.address ?? r.params.prefix ?? s.node?.ip ?? '');
      const spec: FirewallIntent = { type: r.rule, params: r.params, target };
      const row = await d.mitigation.create({
        workspaceId: s.workspaceId, adapter: null, node: s.node, incident: s.incident, intent: 'firewall', spec, owner,
        reason: `runbook ${s.runbookName} (execution ${s.executionId})`, ttlSeconds: r.ttlSeconds, tier: 'runbook', dryRun: false,
      });
      return { ref: row.id, status: row.status, error: row.error };
    },
    async undoFirewall(ref) {
      const rule = await rulesRepo.getRuleById(d.db, ref);
      if (!rule || rule.withdrawn_at !== null || !['pending', 'active', 'failed', 'dry_run'].includes(rule.status)) return;
      await d.mitigation.withdraw(rule, owner, `runbook ${s.runbookName} undo`);
    },
    async notify(r) {
      const ch = await channels.getChannel(d.db, s.workspaceId, r.channelId);
      if (!ch) throw new Error(`channel_id: no notification channel ${r.channelId} in this workspace`);
      const now = d.clock.now();
      const incident = s.incident ?? syntheticIncident(s, now);
      const node = s.node ? alertNodeOf(s.node) : { uuid: '', name: 'synthetic-node', ip: '192.0.2.10', tags: [] };
      const event = s.incident && s.event ? EVENTS[s.event] ?? 'incident.opened' : 'test';
      const message = notificationOf(event, { incident, node, mitigation: `runbook ${s.runbookName}${r.message ? `: ${r.message}` : ''}` }, now, d.dashboardUrl);
      const key = `${ch.id}:runbook:${s.executionId}:${r.stepIndex}`;
      const queued = await deliveries.enqueueDelivery(d.db, {
        workspace_id: s.workspaceId, channel_id: ch.id, incident_id: s.incident?.id ?? null, event, dedup_key: key, payload: JSON.stringify(message),
        status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, last_status_code: null, last_error: null, delivered_to: '[]',
        created_at: now, delivered_at: null, updated_at: now,
      });
      if (queued) d.wakeOutbox();
      return { delivery: key, queued };
    },
    async scrubbing(r) {
      const row = await enableForRunbook(d.diversions, {
        workspaceId: s.workspaceId, integrationId: r.integrationId, executionId: `${s.runbookId}:${s.executionId}`, incident: s.incident, node: s.node,
        ttlSeconds: r.ttlSeconds, dryRun: false, reason: `runbook ${s.runbookName}${r.uam ? ' (Under Attack Mode)' : ''}`,
      });
      return { ref: row.id, state: row.state, error: row.error };
    },
    async undoScrubbing(integrationId) {
      await disableForRunbook(d.diversions, { workspaceId: s.workspaceId, integrationId, executionId: `${s.runbookId}:${s.executionId}`, reason: `runbook ${s.runbookName} undo` });
    },
    async currentPps() {
      if (!s.node) return null;
      return (await nodes.getNodeRow(d.db, s.node.id))?.last_pps ?? null;
    },
  };
}
