// Collectors and what they report: their networks, their exporters' status, per-host top
// talkers. Routes parse and authorise; this decides and presents.
import { canonicalPrefix, type Collector, type CollectorRegisterBody, type FlowExporter, type FlowMetricsBody, type FlowStatusBody, type TopTalkers } from '@breakwater/contracts';
import { flows, fromJson, nodes, type NodeRow } from '@breakwater/db';
import { offlineBefore, type AppContext } from '../../context.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts';
import { storeSamples } from '../metrics/store-samples.ts';
import { byRef } from '../object-ref.ts';
import { resolveFlowHost } from './flow-host.ts';
import { iso } from '../present.ts';

/** Talker rows are kept as long as per-second metrics. */
const TALKER_RETENTION_MS = 48 * 3_600_000;

/** Makes `node` a collector of these networks (idempotent: a collector re-registers at each start). */
export async function registerCollector(ctx: AppContext, node: NodeRow, body: CollectorRegisterBody): Promise<string[]> {
  if (node.kind === 'flow') throw forbidden('A flow node cannot be a collector');
  const networks = body.networks.map((n, i) => {
    const c = canonicalPrefix(n);
    if (!c) throw badRequest(`networks[${i}]: must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.0/24), got ${JSON.stringify(n)}`);
    return c;
  });
  await flows.setCollector(ctx.db, node.id, [...new Set(networks)], ctx.clock.now());
  ctx.auth.forgetNode(node.id);
  return networks;
}

export async function recordFlowStatus(ctx: AppContext, collector: NodeRow, body: FlowStatusBody): Promise<{ exporters: number; talkers: number }> {
  if (collector.kind !== 'collector') throw forbidden('Only a flow collector reports flow status (register with POST /api/v1/agent/collector first)');
  const now = ctx.clock.now();
  await flows.upsertExporters(ctx.db, collector.id, body.exporters.map((e) => ({
    exporter: e.exporter, status: JSON.stringify(e), lastDatagramAt: e.last_datagram_at ? Date.parse(e.last_datagram_at) : null,
  })), now);
  let talkers = 0;
  for (const t of body.talkers ?? []) {
    // Talkers only for hosts the collector already reported on: no flow node is made from a talker list.
    const node = await flows.findFlowNode(ctx.db, collector.id, t.host);
    if (!node) continue;
    await flows.insertTalkers(ctx.db, node.id, Date.parse(t.at), t.sources.map((s) => ({ src: s.ip, packets: s.packets, bytes: s.bytes })));
    talkers += t.sources.length;
  }
  if (Math.random() < 0.01) await flows.pruneTalkers(ctx.db, now - TALKER_RETENTION_MS);
  return { exporters: body.exporters.length, talkers };
}

async function findCollector(ctx: AppContext, workspaceId: string, id: string): Promise<NodeRow> {
  const ob = offlineBefore(ctx);
  const n = await byRef(id, (i) => nodes.getNodeById(ctx.db, workspaceId, i, ob), (u) => nodes.getNodeByUuid(ctx.db, workspaceId, u, ob));
  if (!n || n.kind !== 'collector') throw notFound('Collector');
  return n;
}

function presentExporter(status: string, collectorSeen: number | null): FlowExporter {
  const e = fromJson<FlowExporter>(status, {} as FlowExporter);
  return { ...e, collector_last_report_at: collectorSeen === null ? null : iso(collectorSeen) } as FlowExporter;
}

export async function listCollectors(ctx: AppContext, workspaceId: string): Promise<Collector[]> {
  const rows = await flows.listCollectors(ctx.db, workspaceId);
  const exporters = await flows.listExporters(ctx.db, rows.map((r) => r.id));
  const out: Collector[] = [];
  const ob = offlineBefore(ctx);
  for (const c of rows) {
    const hosts = await flows.flowNodesOf(ctx.db, c.id);
    out.push({
      uuid: c.uuid, name: c.name, ip: c.ip,
      status: c.last_seen_at !== null && c.last_seen_at >= ob ? 'online' : 'offline',
      last_seen: c.last_seen_at === null ? null : iso(c.last_seen_at),
      networks: fromJson<string[]>(c.flow_networks, []),
      flow_nodes: hosts.map((h) => ({ uuid: h.uuid, ip: h.ip, name: h.name })),
      exporters: exporters.filter((e) => e.collector_node_id === c.id).map((e) => presentExporter(e.status, e.updated_at)),
    });
  }
  return out;
}

export async function getCollector(ctx: AppContext, workspaceId: string, id: string): Promise<Collector> {
  const c = await findCollector(ctx, workspaceId, id);
  return (await listCollectors(ctx, workspaceId)).find((x) => x.uuid === c.uuid)!;
}

export async function collectorTalkers(ctx: AppContext, workspaceId: string, id: string, host: string, windowS: number, limit: number): Promise<TopTalkers> {
  const c = await findCollector(ctx, workspaceId, id);
  const to = ctx.clock.now();
  const from = to - windowS * 1000;
  const node = await flows.findFlowNode(ctx.db, c.id, host);
  const talkers = node ? await flows.topTalkers(ctx.db, node.id, from, to, limit) : [];
  return { collector: c.uuid, node: node?.uuid ?? null, host, from: iso(from), to: iso(to), talkers: talkers.map((t) => ({ ip: t.src, packets: t.packets, bytes: t.bytes })) };
}

/**
 * Many hosts' samples in one request. Each host is checked like x-flow-host (inside the networks,
 * flow node on first sight); a host whose samples all fall outside retention is reported, not fatal.
 */
export async function recordFlowMetrics(ctx: AppContext, collector: NodeRow, body: FlowMetricsBody): Promise<{ hosts: number; accepted: number; refused: number }> {
  const now = ctx.clock.now();
  let accepted = 0;
  let refused = 0;
  for (const h of body.hosts) {
    const node = await resolveFlowHost(ctx.db, collector, h.host, now);
    try {
      const r = await storeSamples(ctx, node.id, h.samples);
      accepted += r.accepted;
      refused += r.refused ?? 0;
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'sample_out_of_range') throw err;
      refused += h.samples.length;
    }
  }
  return { hosts: body.hosts.length, accepted, refused };
}
