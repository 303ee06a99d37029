// PCAP API (full-api.md: PCAPs): list, parsed packets, forensic analysis, download.
import { createReadStream, type ReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Limit, Offset, Ok, OkPage, Packet, PacketPageQuery, Pcap, PcapAnalysis, errors } from '@breakwater/contracts';
import { fromJson, pcaps, type PcapRow } from '@breakwater/db';
import { CaptureError } from '@breakwater/packets';
import type { AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import { byRef } from '../services/object-ref.ts';
import { readPacketPage } from '../services/pcaps/pcap-packets.ts';
import { iso } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['pcaps'];

function captureProblem(err: unknown): never {
  if (err instanceof CaptureError) throw new AppError(422, 'invalid_pcap', `The stored capture cannot be read: ${err.message}`);
  throw err;
}

export async function pcapRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const inFlight = new Map<number, Promise<unknown>>();

  async function find(workspaceId: string, id: string): Promise<PcapRow> {
    const row = await byRef(id, (i) => pcaps.getPcapById(ctx.db, workspaceId, i), (u) => pcaps.getPcapByUuid(ctx.db, workspaceId, u));
    if (!row) throw notFound('PCAP');
    return row;
  }

  r.get('/pcaps', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'PCAP captures, newest first', security,
      querystring: Type.Object({ limit: Type.Optional(Limit(100, 50)), offset: Type.Optional(Offset) }, { additionalProperties: false }),
      response: { 200: OkPage(Pcap), ...errors(400, 401, 429) },
    },
  }, async (req) => {
    const { limit = 50, offset = 0 } = req.query;
    const { rows, total } = await pcaps.listPcaps(ctx.db, principalOf(req).workspaceId, limit, offset);
    return {
      ok: true as const,
      data: rows.map((p) => ({
        id: p.uuid, node_uuid: p.node_uuid, node_name: p.node_name, incident_uuid: p.incident_uuid, filename: p.filename, format: p.format,
        size_bytes: p.size_bytes, sha256: p.sha256, packet_count: p.packet_count, analysed: p.analysis !== null, captured_at: iso(p.created_at),
      })),
      meta: { total, limit, offset },
    };
  });

  r.get('/pcaps/:id/packets', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Parsed packet metadata of a capture', security, params: IdParams,
      querystring: PacketPageQuery,
      response: { 200: OkPage(Packet), ...errors(400, 401, 404, 422, 429) },
    },
  }, async (req) => {
    const row = await find(principalOf(req).workspaceId, req.params.id);
    const { limit = 100, offset = 0 } = req.query;
    const page = await readPacketPage(row.path, offset, limit, row.packet_count).catch(captureProblem);
    if (row.packet_count === null) await pcaps.setPacketCount(ctx.db, row.id, page.total);
    return { ok: true as const, data: page.packets, meta: { total: page.total, limit, offset } };
  });

  r.get('/pcaps/:id/analysis', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Forensic analysis of a capture (computed once, then cached)', security, params: IdParams,
      response: { 200: Ok(PcapAnalysis), ...errors(401, 404, 422, 429) },
    },
  }, async (req) => {
    const row = await find(principalOf(req).workspaceId, req.params.id);
    if (row.analysis !== null && row.analysis_at !== null) {
      return { ok: true as const, data: { pcap_id: row.uuid, analysed_at: iso(row.analysis_at), cached: true, report: fromJson<unknown>(row.analysis, null) } };
    }
    // Concurrent first requests share one analysis run.
    let run = inFlight.get(row.id);
    if (!run) {
      run = ctx.analyzer(row.path).finally(() => inFlight.delete(row.id));
      inFlight.set(row.id, run);
    }
    const report = await run.catch(captureProblem);
    const at = ctx.clock.now();
    await pcaps.setAnalysis(ctx.db, row.id, JSON.stringify(report), at);
    return { ok: true as const, data: { pcap_id: row.uuid, analysed_at: iso(at), cached: false, report } };
  });

  r.get('/pcaps/:id/download', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Download the capture file (application/vnd.tcpdump.pcap)', security, params: IdParams,
      response: { 200: Type.Unsafe<ReadStream>({ type: 'string', format: 'binary', description: 'The capture file as stored' }), ...errors(401, 404, 429) },
    },
  }, async (req, reply) => {
    const row = await find(principalOf(req).workspaceId, req.params.id);
    const ext = row.format === 'pcapng' ? 'pcapng' : 'pcap';
    const name = row.filename.replace(/\.(pcap|pcapng)$/i, '') || row.uuid;
    void reply
      .header('content-type', 'application/vnd.tcpdump.pcap')
      .header('content-length', row.size_bytes)
      .header('content-disposition', `attachment; filename="${name}.${ext}"`)
      .header('x-content-sha256', row.sha256);
    return reply.send(createReadStream(row.path));
  });
}
