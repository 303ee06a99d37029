// PCAP API (full-api.md: PCAPs): list, parsed packets, forensic analysis, download.
import { createReadStream, type ReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Limit, Offset, Ok, OkPage, errors } from '@breakwater/contracts';
import { fromJson, pcaps, type PcapRow } from '@breakwater/db';
import { CaptureError } from '@breakwater/packets';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { byRef } from '../services/object-ref.ts';
import { readPacketPage } from '../services/pcaps/pcap-packets.ts';
import { iso } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['pcaps'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Pcap = Type.Object({
  id: Type.String(), node_uuid: Type.String(), node_name: Type.String(), incident_uuid: Type.Union([Type.String(), Type.Null()]),
  filename: Type.String(), format: Type.String(), size_bytes: Type.Integer(), sha256: Type.String(),
  packet_count: Type.Union([Type.Integer(), Type.Null()]), analysed: Type.Boolean(), captured_at: Type.String(),
});
const Packet = Type.Object({
  index: Type.Integer(), timestamp: Type.String(), length: Type.Integer(), captured: Type.Integer(),
  ip_version: Type.Union([Type.Integer(), Type.Null()]), src_ip: Type.Union([Type.String(), Type.Null()]), dst_ip: Type.Union([Type.String(), Type.Null()]),
  protocol: Type.Union([Type.String(), Type.Null()]), src_port: Type.Union([Type.Integer(), Type.Null()]), dst_port: Type.Union([Type.Integer(), Type.Null()]),
  ttl: Type.Union([Type.Integer(), Type.Null()]), tcp_flags: Type.Union([Type.String(), Type.Null()]), payload_size: Type.Union([Type.Integer(), Type.Null()]),
  fragment: Type.Boolean(), tunnelled: Type.Boolean(), decode_error: Type.Union([Type.String(), Type.Null()]),
});

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
    const { rows, total } = await pcaps.listPcaps(ctx.db, req.principal!.workspaceId, limit, offset);
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
      querystring: Type.Object({ limit: Type.Optional(Limit(1000, 100)), offset: Type.Optional(Offset) }, { additionalProperties: false }),
      response: { 200: OkPage(Packet), ...errors(400, 401, 404, 422, 429) },
    },
  }, async (req) => {
    const row = await find(req.principal!.workspaceId, req.params.id);
    const { limit = 100, offset = 0 } = req.query;
    const page = await readPacketPage(row.path, offset, limit, row.packet_count).catch(captureProblem);
    if (row.packet_count === null) await pcaps.setPacketCount(ctx.db, row.id, page.total);
    return { ok: true as const, data: page.packets, meta: { total: page.total, limit, offset } };
  });

  r.get('/pcaps/:id/analysis', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Forensic analysis of a capture (computed once, then cached)', security, params: IdParams,
      response: { 200: Ok(Type.Object({ pcap_id: Type.String(), analysed_at: Type.String(), cached: Type.Boolean(), report: Type.Unknown() })), ...errors(401, 404, 422, 429) },
    },
  }, async (req) => {
    const row = await find(req.principal!.workspaceId, req.params.id);
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
    const row = await find(req.principal!.workspaceId, req.params.id);
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
