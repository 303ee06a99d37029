import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Incident, IncidentDetail, IncidentListQuery, Ok, OkPage, errors } from '@breakwater/contracts';
import { fromJson, incidents, pcaps, type IncidentWithNode } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { byRef } from '../services/object-ref.ts';
import { iso, presentIncident } from '../services/present.ts';
import { incidentSummary } from '../services/incidents/incident-summary.ts';

import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';
const tags = ['incidents'];

export async function incidentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/incidents', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'List incidents', security, querystring: IncidentListQuery, response: { 200: OkPage(Incident), ...errors(400, 401, 429) } },
  }, async (req) => {
    const { limit = 50, offset = 0, status, severity, node } = req.query;
    const { rows, total } = await incidents.listIncidents(ctx.db, principalOf(req).workspaceId, { limit, offset, status, severity, nodeUuid: node?.toLowerCase() });
    return { ok: true as const, data: rows.map(presentIncident), meta: { total, limit, offset } };
  });

  r.get('/incidents/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Get an incident in full detail', security, params: IdParams, response: { 200: Ok(IncidentDetail), ...errors(401, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const id = req.params.id;
    const row: IncidentWithNode | undefined = await byRef(id, (i) => incidents.getIncidentById(ctx.db, ws, i), (u) => incidents.getIncidentByUuid(ctx.db, ws, u));
    if (!row) throw notFound('Incident');
    const files = await pcaps.pcapsForIncident(ctx.db, row.id);
    return {
      ok: true as const,
      data: {
        ...presentIncident(row),
        confidence: row.confidence,
        protocol_breakdown: fromJson(row.protocol_breakdown, {}),
        tcp_flag_breakdown: fromJson(row.tcp_flag_breakdown, {}),
        geo_breakdown: fromJson(row.geo_breakdown, {}),
        top_src_ips: fromJson(row.top_src_ips, []),
        top_dst_ports: fromJson(row.top_dst_ports, []),
        ioc_matches: fromJson(row.ioc_matches, []),
        summary: row.summary ?? incidentSummary(row),
        details: fromJson<Record<string, unknown>>(row.extra, {}),
        pcaps: files.map((f) => ({ uuid: f.uuid, filename: f.filename, size_bytes: f.size_bytes, sha256: f.sha256, created_at: iso(f.created_at) })),
      },
    };
  });
}
