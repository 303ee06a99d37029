// One EventSource for the whole app (GET /api/dash/live, on the session cookie). It keeps the
// latest frame, a rolling window of workspace totals and of each node's per-second samples, and
// tells subscribers; React reads it through useSyncExternalStore (live/hooks.ts).
import { sessionEvents } from '../api/client.ts';
import type { LiveEvent, LiveFrame, LiveSample } from '../api/types.ts';

/** How many seconds of samples the charts keep in the browser. */
export const WINDOW_SECONDS = 300;

export interface Series {
  ts: number[];
  pps: number[];
  bps: number[];
}

export interface LiveState {
  connected: boolean;
  frame: LiveFrame | null;
  /** Bumped on every change, so views can re-render cheaply. */
  version: number;
}

type EventListener = (e: LiveEvent) => void;

export class LiveStore {
  #source: EventSource | null = null;
  #state: LiveState = { connected: false, frame: null, version: 0 };
  readonly #listeners = new Set<() => void>();
  readonly #eventListeners = new Set<EventListener>();
  readonly workspace: Series = { ts: [], pps: [], bps: [] };
  readonly #nodes = new Map<string, LiveSample[]>();

  start(): void {
    if (this.#source) return;
    const es = new EventSource('/api/dash/live');
    this.#source = es;
    es.addEventListener('open', () => this.#set({ connected: true }));
    es.addEventListener('error', () => {
      // CLOSED means refused (no session): the browser will not retry, so start() may open anew.
      if (es.readyState === EventSource.CLOSED && this.#source === es) this.#source = null;
      this.#set({ connected: false });
    });
    es.addEventListener('hello', (m) => {
      const hello = JSON.parse((m as MessageEvent<string>).data) as { history: [number, number, number][] };
      this.workspace.ts.length = this.workspace.pps.length = this.workspace.bps.length = 0;
      for (const [ts, pps, bps] of hello.history) this.#pushWorkspace(ts, pps, bps);
      this.#set({ connected: true });
    });
    es.addEventListener('frame', (m) => {
      const frame = JSON.parse((m as MessageEvent<string>).data) as LiveFrame;
      // For bench/dashboard: when the first per-second frame arrived after the page started.
      if (!this.#state.frame) performance.mark('bw:live:first-frame');
      this.#pushWorkspace(frame.ts - (frame.ts % 1000), frame.workspace.pps, frame.workspace.bps);
      for (const n of frame.nodes) if (n.samples.length > 0) this.#pushNode(n.uuid, n.samples);
      this.#set({ frame, connected: true });
    });
    es.addEventListener('live', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as LiveEvent;
      for (const l of [...this.#eventListeners]) l(e);
    });
    es.addEventListener('signed_out', () => {
      this.stop();
      sessionEvents.dispatchEvent(new Event('signed-out'));
    });
  }

  stop(): void {
    this.#source?.close();
    this.#source = null;
    this.#set({ connected: false, frame: null });
  }

  get state(): LiveState {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  onEvent(listener: EventListener): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Samples the stream brought for one node since the page was opened. */
  nodeSamples(uuid: string): readonly LiveSample[] {
    return this.#nodes.get(uuid) ?? [];
  }

  #pushWorkspace(ts: number, pps: number, bps: number): void {
    const w = this.workspace;
    const last = w.ts[w.ts.length - 1];
    if (last !== undefined && ts <= last) {
      // The same second again (an early frame after an event): keep the newest totals.
      if (ts === last) {
        w.pps[w.pps.length - 1] = pps;
        w.bps[w.bps.length - 1] = bps;
      }
      return;
    }
    w.ts.push(ts);
    w.pps.push(pps);
    w.bps.push(bps);
    while (w.ts.length > 0 && w.ts[0]! < ts - WINDOW_SECONDS * 1000) {
      w.ts.shift();
      w.pps.shift();
      w.bps.shift();
    }
  }

  #pushNode(uuid: string, samples: LiveSample[]): void {
    let list = this.#nodes.get(uuid);
    if (!list) this.#nodes.set(uuid, (list = []));
    for (const s of samples) {
      const last = list[list.length - 1];
      if (last && s[0] <= last[0]) continue;
      list.push(s);
    }
    const cutoff = (list[list.length - 1]?.[0] ?? 0) - WINDOW_SECONDS * 1000;
    while (list.length > 0 && list[0]![0] < cutoff) list.shift();
  }

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch, version: this.#state.version + 1 };
    for (const l of [...this.#listeners]) l();
  }
}

export const live = new LiveStore();
