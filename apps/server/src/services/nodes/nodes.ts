import { randomUUID } from 'node:crypto';
import type { NodeAgentSettings, NodeCreateBody, NodeDetail } from '@breakwater/contracts';
import { fromJson, incidents, metrics, nodes, workspaces, type NodeWithStatus } from '@breakwater/db';
import { digest, newSecret } from '../../auth/credentials.ts';
import { offlineBefore, type AppContext } from '../../context.ts';
import { conflict, notFound, paymentRequired } from '../../errors.ts';
import { byRef } from '../object-ref.ts';
import { iso, presentNode } from '../present.ts';

/** Registers a node (deploy API and REST create share it); returns its key once. */
export async function createNode(ctx: AppContext, workspaceId: string, body: NodeCreateBody): Promise<{ node: NodeWithStatus; apiKey: string }> {
  const ws = await workspaces.getWorkspace(ctx.db, workspaceId);
  if (!ws) throw notFound('Workspace');
  if ((await nodes.countLiveNodes(ctx.db, workspaceId)) >= ws.node_quota) {
    throw paymentRequired(`This workspace's node quota (${ws.node_quota}) is reached; delete a node or raise the quota`);
  }
  if (await nodes.nodeNameTaken(ctx.db, workspaceId, body.name)) throw conflict(`A node named "${body.name}" already exists`, 'duplicate_name');
  const apiKey = newSecret('node');
  const now = ctx.clock.now();
  const uuid = randomUUID();
  try {
    await nodes.insertNode(ctx.db, {
      uuid, workspace_id: workspaceId, name: body.name, ip: body.ip, location: body.location ?? null, os: body.os ?? null,
      interface: body.interface ?? 'eth0', priority: body.priority ?? 'production', api_key_digest: digest(apiKey),
      agent_version: null, pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null,
      last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null,
      last_conn_count: null, last_metrics_at: null, uptime_seconds: null, agent_info: '{}', tags: JSON.stringify(body.tags ?? []), created_at: now, updated_at: now, deleted_at: null,
    });
  } catch (err) {
    // The partial unique index settles a race between two registrations of one name.
    if (/UNIQUE|23505|duplicate key/.test(String((err as { code?: string }).code) + String((err as Error).message))) {
      throw conflict(`A node named "${body.name}" already exists`, 'duplicate_name');
    }
    throw err;
  }
  const node = await nodes.getNodeByUuid(ctx.db, workspaceId, uuid, offlineBefore(ctx));
  if (!node) throw new Error('node vanished after insert');
  return { node, apiKey };
}

/** `{id}` is the node's UUID; its integer id (agent config's node_id) is accepted too. */
export async function findNode(ctx: AppContext, workspaceId: string, id: string): Promise<NodeWithStatus> {
  const ob = offlineBefore(ctx);
  const n = await byRef(id, (i) => nodes.getNodeById(ctx.db, workspaceId, i, ob), (u) => nodes.getNodeByUuid(ctx.db, workspaceId, u, ob));
  if (!n) throw notFound('Node');
  return n;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** The agent's own learned baseline when it reports one; else ours, from the last 24 h of minute roll-ups. */
export async function nodeBaseline(ctx: AppContext, n: NodeWithStatus): Promise<{ p99_pps: number | null; mean_pps: number | null; source: string }> {
  if (n.baseline_p99_pps != null) return { p99_pps: n.baseline_p99_pps, mean_pps: n.baseline_mean_pps, source: 'agent' };
  const minutes = await metrics.minutePeaks(ctx.db, n.id, ctx.clock.now() - 86_400_000);
  if (minutes.length === 0) return { p99_pps: null, mean_pps: null, source: 'none' };
  const mean = minutes.reduce((a, m) => a + m.avg, 0) / minutes.length;
  return { p99_pps: percentile(minutes.map((m) => m.max), 99), mean_pps: Math.round(mean * 100) / 100, source: 'server' };
}

export async function nodeDetail(ctx: AppContext, n: NodeWithStatus): Promise<NodeDetail> {
  const active = await incidents.activeIncidentsForNode(ctx.db, n.id);
  return {
    ...presentNode(n),
    baseline: await nodeBaseline(ctx, n),
    protocol_breakdown: { tcp: n.last_tcp_pct, udp: n.last_udp_pct, icmp: n.last_icmp_pct },
    active_incidents: active.map((i) => ({ uuid: i.uuid, attack_family: i.attack_family, severity: i.severity, started_at: iso(i.started_at) })),
    uptime_seconds: n.uptime_seconds,
    agent: fromJson<Record<string, unknown>>(n.agent_info, {}),
    agent_settings: fromJson<NodeAgentSettings>(n.agent_settings ?? null, {}),
  };
}
