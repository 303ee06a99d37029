// The fleet view of nodes (fleet-agents-api.md): an agent is a node seen as the process that
// runs on it. List and detail present the node with what its agent last reported about the
// host; the report updates that; delete removes the node and its history for good.
import { rm } from 'node:fs/promises';
import type { AgentDetail, AgentListItem, AgentReportBody, AgentSummary, HostMetrics } from '@breakwater/contracts';
import { fleet, fromJson, mitigation, nodes, type FleetHostRow, type NodeRow, type NodeWithStatus } from '@breakwater/db';
import { offlineBefore, type AppContext } from '../../context.ts';
import { notFound } from '../../errors.ts';

const secs = (ms: number | null | undefined) => (ms == null ? null : Math.floor(ms / 1000));

export function presentAgent(n: NodeWithStatus, host: FleetHostRow | undefined): AgentSummary {
  return {
    id: n.uuid, label: n.name, hostname: host?.hostname ?? fromJson<{ hostname?: unknown }>(n.agent_info, {}).hostname as string | undefined ?? null,
    ip: n.ip, os: host?.os ?? n.os, version: n.agent_version, status: n.status, last_seen: secs(n.last_seen_at), tags: fromJson<string[]>(n.tags, []),
  };
}

function presentHost(host: FleetHostRow | undefined): HostMetrics {
  return {
    cpu_percent: host?.cpu_percent ?? null, mem_percent: host?.mem_percent ?? null, disk_percent: host?.disk_percent ?? null,
    uptime_s: host?.uptime_s == null ? null : Number(host.uptime_s), load1: host?.load1 ?? null, reported_at: secs(host?.reported_at),
  };
}

/** Numeric dotted versions compared part by part ("2.10.0" > "2.9.1"); a pre-release suffix sorts before its release. */
export function olderVersion(version: string | null, than: string): boolean {
  const parse = (v: string) => {
    const m = /^v?(\d+(?:\.\d+)*)(-[\w.]+)?(?:\+.*)?$/.exec(v.trim());
    return m ? { parts: m[1]!.split('.').map(Number), pre: m[2] !== undefined } : null;
  };
  const a = version === null ? null : parse(version);
  const b = parse(than);
  if (!a || !b) return false;
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return a.pre && !b.pre;
}

export async function listAgents(ctx: AppContext, workspaceId: string, opts: { outdated?: boolean } = {}): Promise<AgentListItem[]> {
  const out: AgentListItem[] = [];
  const ob = offlineBefore(ctx);
  for (let offset = 0; ; offset += 1000) {
    const { rows } = await nodes.listNodes(ctx.db, workspaceId, { limit: 1000, offset, offlineBefore: ob });
    const hosts = await fleet.hostsOf(ctx.db, rows.map((r) => r.id));
    for (const n of rows) {
      const outdated = olderVersion(n.agent_version, ctx.version);
      if (opts.outdated === undefined || opts.outdated === outdated) out.push({ ...presentAgent(n, hosts.get(n.id)), host: presentHost(hosts.get(n.id)), outdated });
    }
    if (rows.length < 1000) return out;
  }
}

export async function agentDetail(ctx: AppContext, n: NodeWithStatus): Promise<AgentDetail> {
  const host = await fleet.getHost(ctx.db, n.id);
  return {
    ...presentAgent(n, host),
    created_at: secs(n.created_at)!, interface: n.interface,
    metrics: {
      host: presentHost(host),
      traffic: {
        pps: n.last_pps, bps: n.last_bps, tcp_pct: n.last_tcp_pct, udp_pct: n.last_udp_pct, icmp_pct: n.last_icmp_pct, conn_count: n.last_conn_count, at: secs(n.last_metrics_at),
      },
    },
    streams: { connected: await ctx.fleet.connected(n.id) },
  };
}

export async function recordReport(ctx: AppContext, node: NodeRow, r: AgentReportBody): Promise<number> {
  const now = ctx.clock.now();
  await fleet.saveHost(ctx.db, {
    node_id: node.id, hostname: r.hostname ?? null, os: r.os ?? null, cpu_percent: r.cpu_percent ?? null, mem_percent: r.mem_percent ?? null,
    disk_percent: r.disk_percent ?? null, load1: r.load1 ?? null, uptime_s: r.uptime_s ?? null, reported_at: now,
  });
  await fleet.noteReport(ctx.db, node.id, { at: now, os: r.os ?? null, version: r.version ?? null, uptime: r.uptime_s ?? null });
  return now;
}

/**
 * Withdraws every live rule the node owns (through the mitigation service, so speakers are
 * told), then removes the node and its history in one transaction, then its files on disk.
 */
export async function deleteAgent(ctx: AppContext, n: NodeWithStatus, actor: string): Promise<{ withdrawn: number; failed: number; pcaps: number }> {
  let withdrawn = 0, failed = 0;
  const incidents = await fleet.incidentIdsOf(ctx.db, n.id);
  const owned = (await mitigation.activeRules(ctx.db, n.workspace_id))
    .filter((r) => (r.node_id !== null && Number(r.node_id) === n.id) || (r.incident_id !== null && incidents.has(Number(r.incident_id))));
  for (const rule of owned) {
    const r = await ctx.mitigation.withdraw(rule, actor, `agent ${n.name} deleted`);
    if (r.status === 'withdrawn') withdrawn++;
    else failed++; // still "withdrawing": the mitigation tick retries it; the rule row outlives the node
  }
  const removed = await fleet.deleteNodeWithHistory(ctx.db, n.workspace_id, n.id);
  if (!removed) throw notFound('Agent');
  ctx.auth.forgetNode(n.id);
  ctx.fleet.links.disconnect(n.id);
  for (const p of removed.pcapPaths) await rm(p, { force: true }).catch(() => undefined);
  for (const d of removed.uploadDirs) await rm(d, { force: true, recursive: true }).catch(() => undefined);
  return { withdrawn, failed, pcaps: removed.pcapPaths.length };
}
