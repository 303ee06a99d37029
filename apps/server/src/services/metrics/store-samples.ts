// Per-second samples from an agent, or from a collector for one of its flow nodes, into storage:
// samples dated outside what retention keeps (or too far ahead) are refused and counted; the rest
// are stored and the node's latest reading updated.
import type { MetricSample } from '@breakwater/contracts';
import type { metrics } from '@breakwater/db';
import type { AppContext } from '../../context.ts';
import { badRequest } from '../../errors.ts';
import { parseTime } from '../present.ts';
import { refusalMessage, refusalOf, sampleWindow, type SampleRefusal } from './sample-window.ts';

export interface StoredSamples {
  accepted: number;
  refused?: number;
  refusals?: { reason: SampleRefusal; count: number; message: string }[];
}

/** Throws a 400 `sample_out_of_range` when nothing could be kept (a retry cannot help). */
export async function storeSamples(ctx: AppContext, nodeId: number, samples: readonly MetricSample[]): Promise<StoredSamples> {
  const now = ctx.clock.now();
  const window = sampleWindow(now, ctx.config.retention);
  const refused = new Map<SampleRefusal, number>();
  const rows: metrics.MetricRow[] = [];
  // Samples without a timestamp are taken as one per second, the last one now.
  samples.forEach((s, i) => {
    const at = parseTime(s.recorded_at, now - (samples.length - 1 - i) * 1000);
    const why = refusalOf(at, window);
    if (why) {
      refused.set(why, (refused.get(why) ?? 0) + 1);
      return;
    }
    rows.push({
      node_id: nodeId, ts: at - (at % 1000), pps: Math.round(s.pps), bps: Math.round(s.bps),
      tcp_pct: s.tcp_pct ?? null, udp_pct: s.udp_pct ?? null, icmp_pct: s.icmp_pct ?? null,
      conn_count: s.conn_count === undefined ? null : Math.round(s.conn_count),
    });
  });
  const refusals = [...refused].map(([reason, count]) => ({ reason, count, message: refusalMessage(reason, count, window, ctx.config.retention) }));
  if (rows.length === 0) throw badRequest(refusals.map((r) => r.message).join('; '), 'sample_out_of_range');
  const last = rows.reduce((a, b) => (b.ts >= a.ts ? b : a));
  await ctx.ingest.submit(rows, {
    nodeId, ts: last.ts, seenAt: now, pps: last.pps, bps: last.bps, tcpPct: last.tcp_pct, udpPct: last.udp_pct,
    icmpPct: last.icmp_pct, connCount: last.conn_count,
  });
  return refusals.length > 0 ? { accepted: rows.length, refused: samples.length - rows.length, refusals } : { accepted: rows.length };
}
