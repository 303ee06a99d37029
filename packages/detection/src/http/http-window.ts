// The HTTP ticks of the last window, summed: request counts add up, the heaviest keys of each
// tick are merged (each tick's lists are bounded, so the merge is too), and open connections are
// the latest snapshot of the socket table, not a sum.
import type { HttpKeyCount, HttpTick } from '@breakwater/contracts';

export const HTTP_METRICS = ['rps', 'post_rps', 'source_rps', 'uri_rps', 'novel_query_rps', 'login_failure_rps', 'open_connections', 'source_connections'] as const;
export type HttpMetric = (typeof HTTP_METRICS)[number];
export type HttpRates = Record<HttpMetric, number>;

export interface HttpWindowSums {
  requests: number;
  get: number;
  post: number;
  status: HttpTick['status'];
  queried: number;
  novelQueries: number;
  loginAttempts: number;
  loginFailures: number;
  sources: Map<string, number>;
  paths: Map<string, number>;
  userAgents: Map<string, number>;
  hosts: Map<string, number>;
  loginSources: Map<string, number>;
  connections: { open: number; sources: Map<string, number> } | null;
}

export function emptySums(): HttpWindowSums {
  return {
    requests: 0, get: 0, post: 0, status: { s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, other: 0 }, queried: 0, novelQueries: 0, loginAttempts: 0, loginFailures: 0,
    sources: new Map(), paths: new Map(), userAgents: new Map(), hosts: new Map(), loginSources: new Map(), connections: null,
  };
}

const fin = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);

function merge(into: Map<string, number>, list: readonly HttpKeyCount[] | undefined, cap: number): void {
  if (!Array.isArray(list)) return;
  for (const e of list.slice(0, cap)) {
    if (typeof e?.key !== 'string') continue;
    into.set(e.key, (into.get(e.key) ?? 0) + fin(e.count));
  }
}

/** Keys merged per list and tick: ticks come from the agent, but a bad one must not grow memory. */
const LIST_CAP = 100;

/**
 * Adds a tick to running sums (also used for the whole span of an incident). Open connections are
 * a snapshot: the latest one, or with `peakConnections` (an incident's span) the largest seen.
 */
export function addHttpTick(s: HttpWindowSums, t: HttpTick, peakConnections = false): void {
  s.requests += fin(t.requests);
  s.get += fin(t.get);
  s.post += fin(t.post);
  for (const k of ['s2xx', 's3xx', 's4xx', 's5xx', 'other'] as const) s.status[k] += fin(t.status?.[k]);
  s.queried += fin(t.queried);
  s.novelQueries += fin(t.novelQueries);
  s.loginAttempts += fin(t.loginAttempts);
  s.loginFailures += fin(t.loginFailures);
  merge(s.sources, t.sources, LIST_CAP);
  merge(s.paths, t.paths, LIST_CAP);
  merge(s.userAgents, t.userAgents, LIST_CAP);
  merge(s.hosts, t.hosts, LIST_CAP);
  merge(s.loginSources, t.loginSources, LIST_CAP);
  if (t.connections && (!peakConnections || !s.connections || fin(t.connections.open) >= s.connections.open)) {
    const m = new Map<string, number>();
    merge(m, t.connections.sources, LIST_CAP);
    s.connections = { open: fin(t.connections.open), sources: m };
  }
}

/** Keeps an incident's span sums bounded: only the heaviest keys of each map survive. */
export function trimSums(s: HttpWindowSums, keep: number): void {
  for (const m of [s.sources, s.paths, s.userAgents, s.hosts, s.loginSources]) {
    if (m.size <= keep * 4) continue;
    const kept = topOf(m, keep * 2);
    m.clear();
    for (const e of kept) m.set(e.key, e.count);
  }
}

export function topOf(m: ReadonlyMap<string, number>, n: number): HttpKeyCount[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([key, count]) => ({ key, count: Math.round(count) }));
}

const maxOf = (m: ReadonlyMap<string, number>): number => {
  let x = 0;
  for (const v of m.values()) x = Math.max(x, v);
  return x;
};

export interface HttpWindow {
  push(t: HttpTick): boolean;
  advance(now: number): void;
  end(): number;
  sums(): HttpWindowSums;
  rates(): HttpRates;
}

export function createHttpWindow(windowMs: number): HttpWindow {
  let ticks: HttpTick[] = [];
  let end = Number.NEGATIVE_INFINITY;
  let cached: HttpWindowSums | null = null;
  const drop = () => {
    ticks = ticks.filter((t) => t.at > end - windowMs);
    cached = null;
  };
  const sums = () => {
    if (cached) return cached;
    const s = emptySums();
    for (const t of ticks) addHttpTick(s, t);
    cached = s;
    return s;
  };
  return {
    push(t) {
      if (!Number.isFinite(t.at) || t.at < end - windowMs) return false;
      ticks.push(t);
      end = Math.max(end, t.at);
      drop();
      return true;
    },
    advance(now) {
      if (now > end) {
        end = now;
        drop();
      }
    },
    end: () => end,
    sums,
    rates() {
      const s = sums();
      // Ticks normally tile the window; a late one (a busy host reads its logs late) covers more
      // time, and its requests are spread over that time, not squeezed into the window.
      let covered = 0;
      for (const t of ticks) covered += Number.isFinite(t.durationMs) && t.durationMs > 0 ? Math.min(t.durationMs, 60_000) : 0;
      const sec = Math.max(windowMs, covered) / 1000;
      return {
        rps: s.requests / sec,
        post_rps: s.post / sec,
        source_rps: maxOf(s.sources) / sec,
        uri_rps: maxOf(s.paths) / sec,
        novel_query_rps: s.novelQueries / sec,
        login_failure_rps: s.loginFailures / sec,
        open_connections: s.connections?.open ?? 0,
        source_connections: s.connections ? maxOf(s.connections.sources) : 0,
      };
    },
  };
}
