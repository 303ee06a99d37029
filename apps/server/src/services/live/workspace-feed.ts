// The dashboard's live feed for one workspace: once a second it reads every node's status and
// the per-second samples stored since the last frame, and fans one serialised frame out to all of
// the workspace's open streams. Live-bus events (incident and mitigation changes) are forwarded at
// once and trigger an early frame, so a node's status flips on screen well within a second of the
// change being stored — without waiting for the next tick.
import { incidents, metrics, nodes } from '@breakwater/db';
import { offlineBefore, type AppContext } from '../../context.ts';
import type { LiveEvent, LiveFrame, LiveNode, LiveSample } from '@breakwater/contracts';

export type { LiveFrame, LiveNode, LiveSample };

/** What a stream receives: already formatted SSE text, so it is serialised once per workspace. */
export type Send = (chunk: string) => void;

const PAGE = 1000;
/** Samples reach the server up to this late (agents batch and spool); older ones are not streamed. */
const LATE_MS = 30_000;
/** A node whose latest sample is older than this adds nothing to the workspace totals. */
const STALE_MS = 10_000;
/** How much workspace history a new stream starts with. */
export const HISTORY_SECONDS = 300;

export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class WorkspaceFeed {
  readonly #ctx: AppContext;
  readonly #workspaceId: string;
  readonly #onIdle: () => void;
  readonly #streams = new Set<Send>();
  readonly #cursor = new Map<number, number>();
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #last: string | null = null;

  constructor(ctx: AppContext, workspaceId: string, onIdle: () => void) {
    this.#ctx = ctx;
    this.#workspaceId = workspaceId;
    this.#onIdle = onIdle;
  }

  /** Adds a stream; it gets the latest frame at once (or the first one as soon as it is built). */
  add(send: Send): () => void {
    this.#streams.add(send);
    if (this.#last) send(this.#last);
    if (!this.#timer) {
      this.#cursor.clear();
      this.#timer = setInterval(() => this.#kick(), 1000);
      this.#timer.unref();
      this.#unsubscribe = this.#ctx.live.subscribe(this.#workspaceId, (e) => this.#onEvent(e));
      this.#kick();
    }
    return () => {
      this.#streams.delete(send);
      if (this.#streams.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#last = null;
    this.#onIdle();
  }

  #onEvent(e: LiveEvent): void {
    this.#broadcast(sse('live', e));
    this.#kick();
  }

  /** Builds a frame now, or right after the one being built: never two queries at once. */
  #kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#frame()
      .then((f) => {
        if (!this.#timer) return; // stopped while it was being built
        this.#last = sse('frame', f);
        this.#broadcast(this.#last);
      })
      .catch((err: unknown) => console.error('[breakwater] dashboard live frame', err))
      .finally(() => {
        this.#running = null;
        if (this.#again && this.#timer) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  #broadcast(chunk: string): void {
    for (const send of [...this.#streams]) send(chunk);
  }

  async #frame(): Promise<LiveFrame> {
    const { db } = this.#ctx;
    const now = this.#ctx.clock.now();
    const ob = offlineBefore(this.#ctx);
    const list: nodes.NodeWithStatus[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const { rows } = await nodes.listNodes(db, this.#workspaceId, { limit: PAGE, offset, offlineBefore: ob });
      list.push(...rows);
      if (rows.length < PAGE) break;
    }
    const byNode = new Map<number, LiveSample[]>();
    if (list.length > 0) {
      const since = now - LATE_MS;
      const rows = await metrics.samplesSince(db, list.map((n) => n.id), since);
      for (const r of rows) {
        const cursor = this.#cursor.get(r.node_id) ?? now - 5000;
        if (r.ts <= cursor) continue;
        let s = byNode.get(r.node_id);
        if (!s) byNode.set(r.node_id, (s = []));
        s.push([r.ts, r.pps, r.bps, r.tcp_pct, r.udp_pct, r.icmp_pct]);
      }
      for (const [id, s] of byNode) this.#cursor.set(id, s[s.length - 1]![0]);
    }
    const counts = { total: 0, online: 0, offline: 0, attack: 0, elevated: 0 };
    const ws = { pps: 0, bps: 0, tcp: 0, udp: 0, icmp: 0, mixPps: 0 };
    const out: LiveNode[] = list.map((n) => {
      counts.total++;
      counts[n.status]++;
      const fresh = n.last_metrics_at !== null && n.last_metrics_at >= now - STALE_MS;
      if (fresh && n.status !== 'offline') {
        const pps = n.last_pps ?? 0;
        ws.pps += pps;
        ws.bps += n.last_bps ?? 0;
        if (n.last_tcp_pct !== null || n.last_udp_pct !== null || n.last_icmp_pct !== null) {
          ws.tcp += pps * (n.last_tcp_pct ?? 0);
          ws.udp += pps * (n.last_udp_pct ?? 0);
          ws.icmp += pps * (n.last_icmp_pct ?? 0);
          ws.mixPps += pps;
        }
      }
      return {
        uuid: n.uuid, name: n.name, ip: n.ip, status: n.status, pps: n.last_pps, bps: n.last_bps,
        tcp_pct: n.last_tcp_pct, udp_pct: n.last_udp_pct, icmp_pct: n.last_icmp_pct, recorded_at: n.last_metrics_at,
        samples: byNode.get(n.id) ?? [],
      };
    });
    const mix = (v: number) => (ws.mixPps > 0 ? Math.round((v / ws.mixPps) * 10) / 10 : null);
    const active = (await incidents.listIncidents(db, this.#workspaceId, { limit: 1, offset: 0, status: 'active' })).total;
    return {
      ts: now,
      workspace: { pps: ws.pps, bps: ws.bps, tcp_pct: mix(ws.tcp), udp_pct: mix(ws.udp), icmp_pct: mix(ws.icmp) },
      counts, active_incidents: active, nodes: out,
    };
  }
}

/** Workspace-wide totals per second over the last `seconds`, from the stored samples. */
export async function workspaceHistory(ctx: AppContext, workspaceId: string, seconds: number): Promise<[number, number, number][]> {
  return metrics.workspaceTotalsSince(ctx.db, workspaceId, ctx.clock.now() - seconds * 1000);
}
