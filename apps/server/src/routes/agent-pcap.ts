import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ok, errors } from '@breakwater/contracts';
import { incidents, pcaps, type NodeRow } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { nodeOf } from '../auth/principal.ts';
import { AppError, badRequest, notFound, tooLarge } from '../errors.ts';
import { byRef } from '../services/object-ref.ts';
import { PcapStore, safeFilename } from '../services/pcaps/pcap-store.ts';

import { NODE_SECURITY as security } from './security.ts';
const tags = ['agent'];
const CHUNK_MAX = 4 * 1024 * 1024; // agents send 2 MiB chunks; allow headroom
const PcapStored = Ok(Type.Object({
  id: Type.Integer(), uuid: Type.String(), incident_id: Type.Integer(), incident_uuid: Type.String(), filename: Type.String(),
  format: Type.String(), size_bytes: Type.Integer(), sha256: Type.String(),
}));
const ChunkAccepted = Ok(Type.Object({ upload_id: Type.String(), received: Type.Integer(), total: Type.Integer(), complete: Type.Boolean() }));

async function findIncident(ctx: AppContext, node: NodeRow, ref: string | undefined) {
  if (ref === undefined || ref === '') throw badRequest('incident_id: is required');
  const row = await byRef(ref, (i) => incidents.getIncidentById(ctx.db, node.workspace_id, i), (u) => incidents.getIncidentByUuid(ctx.db, node.workspace_id, u));
  if (!row || row.node_id !== node.id) throw notFound('Incident');
  return row;
}

/**
 * Reads and drops what is left of a refused upload (bounded in time), so the client
 * receives our 413/400 instead of a connection reset while it is still sending.
 */
async function drainRequest(req: FastifyRequest): Promise<void> {
  const raw = req.raw;
  if (raw.readableEnded || raw.destroyed) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    raw.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    raw.once('error', () => {
      clearTimeout(timer);
      resolve();
    });
    raw.resume();
  });
}

/** Reads a multipart upload: the file streams to disk, fields may come before or after it. */
async function receiveMultipart(req: FastifyRequest, store: PcapStore, max: number, fileFields: string[]) {
  if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'Expected multipart/form-data with the capture file');
  const fields: Record<string, string> = {};
  let file: { tmp: string; size: number; sha256: string; filename: string } | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!fileFields.includes(part.fieldname) || file) {
          part.file.resume();
          throw badRequest(`${part.fieldname}: unexpected file field; send the capture as ${fileFields.join(' or ')}`);
        }
        const got = await store.receive(part.file, max);
        file = { ...got, filename: safeFilename(part.filename, 'capture.pcap') };
        if (part.file.truncated) throw tooLarge(`file: larger than the limit of ${max} bytes`);
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (file) await store.discard(file.tmp);
    await drainRequest(req);
    throw err;
  }
  if (!file) throw badRequest(`${fileFields[0]}: a capture file is required`);
  return { fields, file };
}

export async function agentPcapRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const store = new PcapStore(ctx.config.dataDir);
  const node = ctx.auth.node();
  const max = ctx.config.pcapMaxBytes;

  async function storeFile(req: FastifyRequest, n: NodeRow, incidentRef: string | undefined, file: { tmp: string; size: number; sha256: string; filename: string }) {
    let inc;
    try {
      inc = await findIncident(ctx, n, incidentRef);
    } catch (err) {
      await store.discard(file.tmp);
      throw err;
    }
    const saved = await store.commit(ctx.db, n, inc.id, file.tmp, file.size, file.sha256, file.filename, ctx.clock.now());
    req.log.info({ pcap: saved.uuid, incident: inc.uuid, bytes: saved.size_bytes }, 'pcap stored');
    return { ok: true as const, data: { ...saved, incident_id: inc.id, incident_uuid: inc.uuid } };
  }

  r.post('/pcap', {
    onRequest: node,
    schema: { tags, summary: 'Upload a PCAP for an incident (multipart: incident_id + file)', security, consumes: ['multipart/form-data'], response: { 200: PcapStored, ...errors(400, 401, 404, 413, 415, 429) } },
  }, async (req) => {
    const { fields, file } = await receiveMultipart(req, store, max, ['file', 'pcap']);
    return storeFile(req, nodeOf(req), fields.incident_id, file);
  });

  r.post('/incidents/:id/pcap', {
    onRequest: node,
    schema: {
      tags, summary: 'Upload a PCAP for an incident: multipart (field "pcap"), or raw 2 MiB chunks with X-Chunk-Index/X-Chunk-Total/X-Upload-Id',
      security, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Union([PcapStored, ChunkAccepted]), ...errors(400, 401, 404, 413, 415, 429) },
    },
  }, async (req) => {
    const n = nodeOf(req);
    const ref = req.params.id;
    if (req.isMultipart()) {
      const { file } = await receiveMultipart(req, store, max, ['pcap', 'file']);
      return storeFile(req, n, ref, file);
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
      throw new AppError(415, 'unsupported_media_type', 'Send multipart/form-data, or application/octet-stream chunks');
    }
    const index = Number(req.headers['x-chunk-index']);
    const total = Number(req.headers['x-chunk-total']);
    const uploadId = String(req.headers['x-upload-id'] ?? '');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(uploadId)) throw badRequest('X-Upload-Id: required, 1-64 characters of A-Z a-z 0-9 _ -');
    if (!Number.isInteger(total) || total < 1 || total > 10_000) throw badRequest('X-Chunk-Total: must be an integer from 1 to 10000');
    if (!Number.isInteger(index) || index < 0 || index >= total) throw badRequest(`X-Chunk-Index: must be an integer from 0 to ${total - 1}`);
    const inc = await findIncident(ctx, n, ref);
    const now = ctx.clock.now();
    const scoped = `${n.id}-${uploadId}`; // upload ids are the agent's; scope them to the node
    const existing = await pcaps.getUpload(ctx.db, n.id, scoped);
    if (existing && (existing.incident_id !== inc.id || existing.chunk_total !== total)) {
      throw badRequest('X-Upload-Id: already used for another incident or chunk count');
    }
    if (!existing) {
      try {
        await pcaps.insertUpload(ctx.db, {
          upload_id: scoped, workspace_id: n.workspace_id, node_id: n.id, incident_id: inc.id, chunk_total: total,
          chunks_received: 0, bytes_received: 0, dir: store.uploadDir(scoped), created_at: now, updated_at: now,
        });
      } catch {
        // a parallel chunk created it first
      }
    }
    try {
      await store.saveChunk(scoped, index, req.raw, CHUNK_MAX);
    } catch (err) {
      await drainRequest(req);
      throw err;
    }
    const { count, bytes } = await store.chunkCount(scoped);
    if (bytes > max) {
      await pcaps.deleteUpload(ctx.db, scoped);
      await store.discardUpload(scoped);
      throw tooLarge(`Upload exceeds the limit of ${max} bytes`);
    }
    await pcaps.updateUpload(ctx.db, scoped, { chunks_received: count, bytes_received: bytes, updated_at: now });
    if (count < total) return { ok: true as const, data: { upload_id: uploadId, received: count, total, complete: false } };
    const assembled = await store.assemble(scoped, total, max);
    await pcaps.deleteUpload(ctx.db, scoped);
    return storeFile(req, n, inc.uuid, { ...assembled, filename: `${inc.uuid}.pcap` });
  });
}
