// Everything the agent reports goes through the spool, in order: metrics, and incident
// opens, updates and resolves. The sender drains it while the server answers and stops at
// the first retryable failure, so nothing is lost or reordered while the server is away,
// and a restarted agent carries on where it stopped. Incidents opened while the server
// was unreachable get a local id; the server's uuid replaces it when the open goes through.
// The sender also remembers which incidents are open (their last report, on disk): when the
// process stops, or died and starts again, their detection state is gone, so `resolveOpen`
// resolves them instead of leaving them active at the server for ever.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOW_HOST_HEADER } from '@breakwater/contracts/plain';
import type { AgentClient } from './agent-client.ts';
import type { Spool, SpoolEntry } from './spool.ts';

export type Outgoing = (
  | { kind: 'metrics'; sample: Record<string, unknown> }
  | { kind: 'open'; local: string; body: Record<string, unknown> }
  | { kind: 'update'; local: string; body: Record<string, unknown> }
  | { kind: 'resolve'; local: string; body: Record<string, unknown> }
  | { kind: 'pcap'; local: string; path: string }
) & {
  /**
   * The protected address a collector's record is about (sent as FLOW_HOST_HEADER: the server
   * files it under that host's flow node). Absent for an agent, whose records are its own node's.
   */
  host?: string;
};


const hostHeaders = (o: Outgoing) => (o.host === undefined ? undefined : { [FLOW_HOST_HEADER]: o.host });

export interface SenderDeps {
  spool: Spool<Outgoing>;
  client: Pick<AgentClient, 'call' | 'upload'>;
  /** Where the local → server incident ids are kept across restarts. */
  stateDir: string;
  log: (msg: string) => void;
  /** Largest metrics batch in one request. */
  maxBatch?: number;
  now?: () => number;
}

export class Sender {
  readonly #d: SenderDeps;
  readonly #ids: Map<string, string>;
  readonly #idsFile: string;
  /** Open incidents: local id → their last open/update and when it was enqueued. */
  readonly #open: Map<string, { o: Extract<Outgoing, { kind: 'open' | 'update' }>; at: number }>;
  readonly #openFile: string;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(deps: SenderDeps) {
    this.#d = deps;
    this.#idsFile = join(deps.stateDir, 'incident-ids.json');
    this.#ids = new Map(readJson<[string, string][]>(this.#idsFile, deps.log) ?? []);
    this.#openFile = join(deps.stateDir, 'open-incidents.json');
    this.#open = new Map(readJson<[string, { o: Extract<Outgoing, { kind: 'open' | 'update' }>; at: number }][]>(this.#openFile, deps.log) ?? []);
  }

  /** Local ids of the incidents whose open was enqueued and whose resolve was not. */
  openIncidents(): string[] {
    return [...this.#open.keys()];
  }

  /**
   * Resolves every incident still open (the process is stopping, or a previous one left them):
   * each with its last report, ended at `endedAt`, or when that report was made when `endedAt`
   * is 'last_report' (the time of a crash is not known).
   */
  resolveOpen(endedAt: number | 'last_report', why: string): number {
    const out: Outgoing[] = [];
    for (const [local, { o, at }] of this.#open) {
      const end = endedAt === 'last_report' ? at : endedAt;
      const started = typeof o.body.started_at === 'number' ? o.body.started_at : end;
      out.push({
        kind: 'resolve', local,
        body: { ...o.body, status: 'resolved', ended_at: end, resolved_at: end, duration_seconds: Math.max(0, Math.round((end - started) / 1000)) },
        ...(o.host !== undefined ? { host: o.host } : {}),
      });
    }
    if (out.length > 0) {
      this.#d.log(`resolving ${out.length} incident(s) still open: ${why}`);
      this.enqueue(out);
    }
    return out.length;
  }

  /** The server's uuid for a local incident id, once its open went through. */
  serverId(local: string): string | undefined {
    return this.#ids.get(local);
  }

  enqueue(items: Outgoing[]): void {
    let changed = false;
    for (const o of items) {
      if (o.kind === 'open' || o.kind === 'update') {
        this.#open.set(o.local, { o, at: this.#now() });
        changed = true;
      } else if (o.kind === 'resolve') changed = this.#open.delete(o.local) || changed;
    }
    this.#d.spool.append(items);
    if (changed) writeJson(this.#openFile, [...this.#open.entries()]);
    void this.kick();
  }

  #now(): number {
    return (this.#d.now ?? Date.now)();
  }

  /** Drains the spool now (or again right after the drain in progress). */
  kick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.kick();
      }
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = this.#d.spool.peek(this.#d.maxBatch ?? 300);
      if (batch.length === 0) return;
      const first = batch[0]!;
      let upTo: SpoolEntry<Outgoing>;
      if (first.record.kind === 'metrics') {
        const run: SpoolEntry<Outgoing>[] = [];
        // A node's own samples go to /metrics; a collector's, for many hosts, in one /flow-metrics request.
        const perHost = first.record.host !== undefined;
        for (const e of batch) {
          if (e.record.kind !== 'metrics' || (e.record.host !== undefined) !== perHost) break;
          run.push(e);
        }
        const r = perHost
          ? await this.#d.client.call('POST', '/flow-metrics', { hosts: byHost(run.map((e) => e.record)) })
          : await this.#d.client.call('POST', '/metrics', run.map((e) => (e.record as { sample: unknown }).sample));
        if (!r.ok && r.retryable) return;
        if (!r.ok) this.#d.log(`metrics refused (${r.status}): ${r.message}; dropped ${run.length} samples`);
        else for (const message of partlyRefused(r.body)) this.#d.log(`metrics partly refused: ${message}`);
        upTo = run.at(-1)!;
      } else {
        const ok = await this.#incident(first.record);
        if (!ok) return;
        upTo = first;
      }
      this.#d.spool.ack(upTo);
    }
  }

  /** False when the server should be tried again later. */
  async #incident(o: Exclude<Outgoing, { kind: 'metrics' }>): Promise<boolean> {
    if (o.kind === 'open') {
      const r = await this.#d.client.call<{ uuid?: string }>('POST', '/incidents', o.body, hostHeaders(o));
      if (!r.ok) return this.#refused(r, 'open');
      if (typeof r.body.uuid === 'string') this.#remember(o.local, r.body.uuid);
      return true;
    }
    const id = this.#ids.get(o.local);
    if (o.kind === 'pcap') {
      if (!id) {
        this.#d.log(`capture for incident ${o.local} whose open never reached the server: kept at ${o.path}`);
        return true;
      }
      const r = await this.#d.client.upload(id, o.path);
      if (!r.ok) return this.#refused(r, 'pcap upload');
      rmSync(o.path, { force: true });
      return true;
    }
    if (!id) {
      this.#d.log(`${o.kind} for incident ${o.local} whose open never reached the server: dropped`);
      return true;
    }
    const r = await this.#d.client.call('POST', o.kind === 'update' ? `/incidents/${id}` : `/incidents/${id}/resolve`, o.body, hostHeaders(o));
    return r.ok || this.#refused(r, o.kind);
  }

  #refused(r: { retryable: boolean; status: number | null; message: string }, what: string): boolean {
    if (r.retryable) return false;
    this.#d.log(`incident ${what} refused (${r.status}): ${r.message}; dropped`);
    return true;
  }

  #remember(local: string, uuid: string): void {
    this.#ids.set(local, uuid);
    // Only recent incidents matter; keep the file small.
    writeJson(this.#idsFile, [...this.#ids.entries()].slice(-1000));
  }
}

/** Written whole and renamed into place, so a crash leaves the old file or the new one. */
function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  renameSync(tmp, file);
}

/** The file's JSON, or null when it is missing; a damaged file is logged and treated as missing. */
function readJson<T>(file: string, log: (m: string) => void): T | null {
  if (!existsSync(file)) return null;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(v)) return v as T;
    log(`${file}: not a list; starting without it`);
  } catch (err) {
    log(`${file}: unreadable (${(err as Error).message}); starting without it`);
  }
  return null;
}

/** A collector's samples grouped by host, hosts in first-seen order, samples in order. */
function byHost(records: Outgoing[]): { host: string; samples: unknown[] }[] {
  const m = new Map<string, unknown[]>();
  for (const r of records) {
    if (r.kind !== 'metrics' || r.host === undefined) continue;
    const list = m.get(r.host);
    if (list) list.push(r.sample);
    else m.set(r.host, [r.sample]);
  }
  return [...m].map(([host, samples]) => ({ host, samples }));
}

/** What the server says it did not keep of an acknowledged batch (samples outside its retention window). */
function partlyRefused(body: unknown): string[] {
  const data = (body as { data?: { refusals?: unknown } } | null)?.data;
  const refusals = Array.isArray(data?.refusals) ? data.refusals : [];
  return refusals.map((r: { message?: unknown }) => (typeof r?.message === 'string' ? r.message : 'refused').slice(0, 300));
}
