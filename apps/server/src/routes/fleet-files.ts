// GET /api/agents/{id}/files?path=… (the file as application/octet-stream, its sha256 in
// X-Content-SHA256) and POST /api/agents/{id}/files (multipart: `file`, `dest`). The agent
// confines both to the roots its own config allows; see services/fleet/file-transfer.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FilePathQuery, FileUploaded, errors } from '@breakwater/contracts';
import type { AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { AppError, badRequest, tooLarge } from '../errors.ts';
import { findNode } from '../services/nodes/nodes.ts';
import { PcapStore } from '../services/pcaps/pcap-store.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['agents'];

function who(req: FastifyRequest) {
  const p = principalOf(req);
  return { workspaceId: p.workspaceId, actor: p.actor, requestId: req.id };
}

/** An ASCII file name for Content-Disposition (the path's last part, anything odd replaced). */
function downloadName(path: string): string {
  return (path.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'download';
}

export async function fleetFileRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Uploads are spooled whole (and hashed) before the agent is asked: the same temporary store the PCAP uploads use.
  const spool = new PcapStore(ctx.config.dataDir);

  r.get('/agents/:id/files', {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Download a file from the agent (inside the roots its config allows)', security, params: IdParams, querystring: FilePathQuery,
      produces: ['application/octet-stream'], response: { ...errors(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504) },
    },
  }, async (req, reply) => {
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    const d = await ctx.fleet.files.download(node, req.query.path, who(req));
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', d.size)
      .header('x-content-sha256', d.sha256)
      .header('content-disposition', `attachment; filename="${downloadName(d.path)}"`)
      .send(d.body as never);
  });

  r.post('/agents/:id/files', {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Upload a file to the agent (multipart: file, dest); written to a temporary file, checked by sha256, then renamed into place',
      security, params: IdParams, consumes: ['multipart/form-data'], response: { 200: FileUploaded, ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 502, 503, 504) },
    },
  }, async (req) => {
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'Expected multipart/form-data with the fields file and dest');
    const max = ctx.fleet.uploadMaxBytes;
    let dest: string | undefined;
    let file: { tmp: string; size: number; sha256: string } | undefined;
    try {
      for await (const part of req.parts({ limits: { fileSize: max + 1, files: 1 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || file) {
            part.file.resume();
            throw badRequest(`${part.fieldname}: unexpected file field; send the file as "file"`);
          }
          try {
            file = await spool.receive(part.file, max);
          } catch (err) {
            if (err instanceof AppError && err.status === 413) throw tooLarge(`file: larger than the server's limit of ${max} bytes`);
            throw err;
          }
          if (part.file.truncated) throw tooLarge(`file: larger than the server's limit of ${max} bytes`);
        } else if (part.fieldname === 'dest') {
          dest = String(part.value);
        } else {
          throw badRequest(`${part.fieldname}: unknown field; allowed: file, dest`);
        }
      }
      if (!file) throw badRequest('file: is required (the file to upload)');
      if (dest === undefined || dest === '') throw badRequest('dest: is required (the absolute destination path on the agent)');
      if (dest.length > 4096) throw badRequest('dest: must be at most 4096 characters');
      return await ctx.fleet.files.upload(node, { tmpPath: file.tmp, size: file.size, sha256: file.sha256 }, dest, who(req));
    } finally {
      if (file) await spool.discard(file.tmp);
      if (!req.raw.readableEnded) req.raw.resume();
    }
  });
}
