import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AnalyticsQuery, AnalyticsSummary, Ok, StatusOverview, Workspace, errors } from '@breakwater/contracts';
import { incidents, nodes, workspaces } from '@breakwater/db';
import { offlineBefore, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { iso, isoOrNull } from '../services/present.ts';

import { API_SECURITY as security } from './security.ts';
const DAYS: Record<string, number> = { '7d': 7, '30d': 30, '90d': 90, '365d': 365 };

export async function workspaceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/workspace', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags: ['workspace'], summary: 'Workspace info', security, response: { 200: Ok(Workspace), ...errors(401, 429) } },
  }, async (req) => {
    const ws = await workspaces.getWorkspace(ctx.db, principalOf(req).workspaceId);
    if (!ws) throw notFound('Workspace');
    return {
      ok: true as const,
      data: {
        id: ws.id, name: ws.name, plan: ws.plan, subscription_status: 'active', node_count: await nodes.countLiveNodes(ctx.db, ws.id),
        node_quota: ws.node_quota, rate_limit_per_minute: ws.rate_limit_per_min, created_at: iso(ws.created_at),
      },
    };
  });

  r.get('/analytics/summary', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags: ['analytics'], summary: 'Incident analytics over a range', security, querystring: AnalyticsQuery, response: { 200: Ok(AnalyticsSummary), ...errors(400, 401, 429) } },
  }, async (req) => {
    const range = req.query.range ?? '30d';
    const to = ctx.clock.now();
    const from = to - DAYS[range]! * 86_400_000;
    const rows = await incidents.incidentsSince(ctx.db, principalOf(req).workspaceId, from);
    const byFamily: Record<string, number> = {};
    const bySeverity: Record<string, number> = {};
    const byDay = new Map<string, number>();
    const byNode = new Map<string, { node_uuid: string; node_name: string; incidents: number }>();
    let peakPps = 0, peakBps = 0, attackSeconds = 0, resolvedCount = 0, resolvedSeconds = 0, active = 0;
    for (const i of rows) {
      byFamily[i.attack_family] = (byFamily[i.attack_family] ?? 0) + 1;
      bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
      const day = iso(i.started_at).slice(0, 10);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
      const n = byNode.get(i.node_uuid) ?? { node_uuid: i.node_uuid, node_name: i.node_name, incidents: 0 };
      n.incidents++;
      byNode.set(i.node_uuid, n);
      peakPps = Math.max(peakPps, i.peak_pps);
      peakBps = Math.max(peakBps, i.peak_bps);
      const seconds = i.duration_seconds ?? Math.max(0, Math.round(((i.resolved_at ?? to) - i.started_at) / 1000));
      attackSeconds += seconds;
      if (i.status === 'active') active++;
      else { resolvedCount++; resolvedSeconds += seconds; }
    }
    return {
      ok: true as const,
      data: {
        range, from: iso(from), to: iso(to), total_incidents: rows.length, active_incidents: active,
        by_family: byFamily, by_severity: bySeverity,
        by_day: [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, n]) => ({ date, incidents: n })),
        top_nodes: [...byNode.values()].sort((a, b) => b.incidents - a.incidents).slice(0, 10),
        peak_pps: peakPps, peak_bps: peakBps, total_attack_seconds: attackSeconds,
        mean_duration_seconds: resolvedCount ? Math.round((resolvedSeconds / resolvedCount) * 10) / 10 : null,
      },
    };
  });

  r.get('/status', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags: ['status'], summary: 'Status overview of all nodes', security, response: { 200: Ok(StatusOverview), ...errors(401, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const counts = { total: 0, online: 0, offline: 0, attack: 0, elevated: 0 };
    const list: { uuid: string; name: string; status: string; last_seen_at: string | null }[] = [];
    for (let offset = 0; ; offset += 1000) {
      const { rows } = await nodes.listNodes(ctx.db, ws, { limit: 1000, offset, offlineBefore: offlineBefore(ctx) });
      for (const n of rows) {
        counts.total++;
        counts[n.status]++;
        list.push({ uuid: n.uuid, name: n.name, status: n.status, last_seen_at: isoOrNull(n.last_seen_at) });
      }
      if (rows.length < 1000) break;
    }
    const activeIncidents = (await incidents.listIncidents(ctx.db, ws, { limit: 1, offset: 0, status: 'active' })).total;
    const status = counts.attack > 0 ? ('under_attack' as const) : counts.offline > 0 ? ('degraded' as const) : ('operational' as const);
    return { ok: true as const, data: { status, nodes: counts, active_incidents: activeIncidents, node_list: list, generated_at: iso(ctx.clock.now()) } };
  });
}
