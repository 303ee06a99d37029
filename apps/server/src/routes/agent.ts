// Agent API (agent-api.md, and the paths agents in the field use, paths.md).
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AgentConfig, CommandAckBody, HeartbeatBody, IncidentAck, IncidentOpenBody, IncidentReportBody, IncidentResolveBody,
  IncidentUpdateBody, MetricsBody, Ok, errors, type MetricSample,
} from '@breakwater/contracts';
import { commands, fromJson, nodes, workspaces, type IncidentRow } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { nodeOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { iso } from '../services/present.ts';
import { presentPendingCommand } from '../services/commands/present-command.ts';
import { recordCommandAck } from '../services/commands/command-ack.ts';
import { servicePortsOf, toggleOf } from '../services/commands/field-config.ts';
import { storeSamples } from '../services/metrics/store-samples.ts';

import { NODE_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';
const tags = ['agent'];
const Accepted = Ok(Type.Object({
  accepted: Type.Integer({ description: 'samples stored (raw, or merged into the roll-up that retention still keeps)' }),
  refused: Type.Optional(Type.Integer({ description: 'samples refused: dated outside what retention keeps, or too far ahead' })),
  refusals: Type.Optional(Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer(), message: Type.String() }))),
}));

function ack(row: IncidentRow, created: boolean) {
  const data = { id: row.id, uuid: row.uuid, status: row.status, attack_family: row.attack_family, severity: row.severity };
  // Agents in the field read the uuid at the top level; the envelope keeps it under data too.
  return { ok: true as const, uuid: row.uuid, incident_id: row.id, status: row.status, created, data };
}

function toSamples(body: MetricsBody): MetricSample[] {
  if (Array.isArray(body)) return body;
  if ('batch' in body && Array.isArray(body.batch)) return body.batch;
  return [body as MetricSample];
}

export async function agentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const node = ctx.auth.node();

  r.post('/heartbeat', {
    onRequest: node,
    schema: { tags, summary: 'Agent heartbeat (every 30 s)', security, body: HeartbeatBody, response: { 200: Ok(Type.Object({ status: Type.String(), server_time: Type.String() })), ...errors(400, 401, 429) } },
  }, async (req) => {
    const b = req.body;
    const n = nodeOf(req);
    const now = ctx.clock.now();
    const { agent_version: _v1, version: _v2, uptime: _u, os: _o, ...rest } = b;
    await nodes.recordHeartbeat(ctx.db, n.id, {
      at: now, agentVersion: b.agent_version ?? b.version ?? null, os: b.os ?? null, uptime: b.uptime ?? null,
      baselineP99: b.baseline_p99_pps ?? null, baselineMean: b.baseline_avg_pps ?? null,
      agentInfo: JSON.stringify({ ...rest, received_at: iso(now) }),
    });
    return { ok: true as const, data: { status: 'ok', server_time: iso(now) } };
  });

  r.post('/metrics', {
    onRequest: node,
    schema: { tags, summary: 'Submit metrics: one sample, an array, or {batch:[…]}', security, body: MetricsBody, response: { 200: Accepted, ...errors(400, 401, 413, 429) } },
  }, async (req) => ({ ok: true as const, data: await storeSamples(ctx, nodeOf(req).id, toSamples(req.body)) }));

  // The reference's report and the field agents' open: two bodies, one handler.
  for (const [path, summary, body] of [
    ['/incident', 'Report an incident: opens one, or updates the active one of that family', IncidentReportBody],
    ['/incidents', 'Open an incident (idempotent per node and family while active)', IncidentOpenBody],
  ] as const) {
    r.post(path, {
      onRequest: node,
      schema: { tags, summary, security, body, response: { 200: IncidentAck, ...errors(400, 401, 429) } },
    }, async (req) => {
      const { row, created } = await ctx.incidents.open(nodeOf(req), req.body);
      return ack(row, created);
    });
  }

  r.post('/incidents/:id', {
    onRequest: node,
    schema: { tags, summary: 'Update an active incident', security, params: IdParams, body: IncidentUpdateBody, response: { 200: IncidentAck, ...errors(400, 401, 404, 429) } },
  }, async (req) => ack(await ctx.incidents.update(nodeOf(req), req.params.id, req.body), false));

  r.post('/incidents/:id/resolve', {
    onRequest: node,
    schema: { tags, summary: 'Resolve an incident (idempotent)', security, params: IdParams, body: IncidentResolveBody, response: { 200: IncidentAck, ...errors(400, 401, 404, 429) } },
  }, async (req) => ack(await ctx.incidents.resolve(nodeOf(req), req.params.id, req.body), false));

  r.post('/commands/ack', {
    onRequest: node,
    schema: { tags, summary: 'Acknowledge a command (status, error; exit code and output for fleet commands that run a process)', security, body: CommandAckBody, response: { 200: Ok(Type.Object({ id: Type.Integer(), status: Type.String() })), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const n = nodeOf(req);
    const id = Number(String(req.body.command_id).replace(/^cmd_/, ''));
    const cmd = await commands.getCommand(ctx.db, n.id, id);
    if (!cmd) throw notFound('Command');
    const { status, error = null, exit_code, output } = req.body;
    await recordCommandAck(ctx, req, n, cmd, { status, error, exit_code, output });
    return { ok: true as const, data: { id, status } };
  });

  r.get('/config', {
    onRequest: node,
    schema: { tags, summary: 'Remote config: thresholds, baseline, IOC patterns, pending commands', security, response: { 200: AgentConfig, ...errors(401, 429) } },
  }, async (req) => {
    const n = nodeOf(req);
    const ws = await workspaces.getWorkspace(ctx.db, n.workspace_id);
    const fresh = await nodes.getNodeById(ctx.db, n.workspace_id, n.id, 0);
    // The node's own overrides (the nodes page) win over the workspace's settings, key by key.
    const settings = { ...fromJson<Record<string, unknown>>(ws?.settings, {}), ...fromJson<Record<string, unknown>>(fresh?.agent_settings, {}) };
    const pending = await commands.pendingCommands(ctx.db, n.id, ctx.clock.now());
    // The reference shows this document bare (no envelope); agents read it that way. Every key
    // has the type field agents read it with (paths.md); unknown numbers are left out, not null.
    const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: NonNullable<T[K]> };
    return {
      node_id: n.id,
      node_uuid: n.uuid,
      ...defined({ pps_threshold: fresh?.pps_threshold, bps_threshold: fresh?.bps_threshold }),
      baseline: defined({ p99_pps: fresh?.baseline_p99_pps, mean_pps: fresh?.baseline_mean_pps }),
      ioc_patterns: Array.isArray(settings.ioc_patterns) ? settings.ioc_patterns : [],
      pending_commands: pending.map(presentPendingCommand),
      attack_cooldown: Number.isInteger(settings.attack_cooldown) ? (settings.attack_cooldown as number) : 60,
      attack_holddown: Number.isInteger(settings.attack_holddown) ? (settings.attack_holddown as number) : 30,
      pcap_enabled: settings.pcap_enabled !== false,
      pcap_max_bytes: ctx.config.pcapMaxBytes,
      ip_blocklist: Array.isArray(settings.ip_blocklist) ? settings.ip_blocklist.filter((s): s is string => typeof s === 'string') : [],
      service_ports: servicePortsOf(settings.service_ports),
      flow: toggleOf(settings.flow),
      l7: toggleOf(settings.l7),
      suspended: false,
      command_public_key: await ctx.commands.signer.publicKey(n.workspace_id),
    };
  });

  r.post('/gre-tunnels', {
    onRequest: node,
    schema: { tags, summary: 'GRE tunnel inventory (accepted and acknowledged)', security, body: Type.Object({}, { additionalProperties: true }), response: { 200: Ok(Type.Object({ received: Type.Boolean() })), ...errors(400, 401, 429) } },
  }, async () => ({ ok: true as const, data: { received: true } }));
}
