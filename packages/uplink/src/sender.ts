// Everything the agent reports goes through the spool, in order: metrics, and incident
// opens, updates and resolves. The sender drains it while the server answers and stops at
// the first retryable failure, so nothing is lost or reordered while the server is away,
// and a restarted agent carries on where it stopped. Incidents opened while the server
// was unreachable get a local id; the server's uuid replaces it when the open goes through.
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
}

export class Sender {
  readonly #d: SenderDeps;
  readonly #ids: Map<string, string>;
  readonly #idsFile: string;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(deps: SenderDeps) {
    this.#d = deps;
    this.#idsFile = join(deps.stateDir, 'incident-ids.json');
    this.#ids = new Map(existsSync(this.#idsFile) ? (JSON.parse(readFileSync(this.#idsFile, 'utf8')) as [string, string][]) : []);
  }

  /** The server's uuid for a local incident id, once its open went through. */
  serverId(local: string): string | undefined {
    return this.#ids.get(local);
  }

  enqueue(items: Outgoing[]): void {
    this.#d.spool.append(items);
    void this.kick();
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
    const entries = [...this.#ids.entries()].slice(-1000);
    const tmp = `${this.#idsFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(entries), { mode: 0o600 });
    renameSync(tmp, this.#idsFile);
  }
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
