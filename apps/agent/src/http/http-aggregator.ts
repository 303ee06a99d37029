// Requests of one tick → an HttpTick for the engine. Every per-key count lives in a BoundedCounter,
// so memory is the same whatever the keys; lists are cut to `listSize` when the tick is taken.
import type { HttpRequestRecord, HttpTick } from '@breakwater/contracts';
import { BoundedCounter, RecentSet } from './bounded-counter.ts';

export interface AggregatorOptions {
  /** Entries per counter (sources, paths, user agents, hosts). */
  maxKeys: number;
  /** Entries per list in the tick. */
  listSize: number;
  /** Lower-case paths that are login forms or endpoints. */
  loginPaths: readonly string[];
  /** Query strings remembered to tell a new one (cache busting) from a repeated one. */
  recentQueries: number;
}

export class HttpAggregator {
  readonly #o: AggregatorOptions;
  readonly #login: Set<string>;
  readonly #sources: BoundedCounter;
  readonly #paths: BoundedCounter;
  readonly #agents: BoundedCounter;
  readonly #hosts: BoundedCounter;
  readonly #loginSources: BoundedCounter;
  readonly #queries: RecentSet;
  #t = HttpAggregator.#zero();

  constructor(o: AggregatorOptions) {
    this.#o = o;
    this.#login = new Set(o.loginPaths.map((p) => p.toLowerCase()));
    this.#sources = new BoundedCounter(o.maxKeys);
    this.#paths = new BoundedCounter(o.maxKeys);
    this.#agents = new BoundedCounter(o.maxKeys);
    this.#hosts = new BoundedCounter(o.maxKeys);
    this.#loginSources = new BoundedCounter(o.maxKeys);
    this.#queries = new RecentSet(o.recentQueries);
  }

  static #zero() {
    return { requests: 0, get: 0, post: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, other: 0, queried: 0, novel: 0, loginAttempts: 0, loginFailures: 0 };
  }

  add(r: HttpRequestRecord): void {
    const t = this.#t;
    t.requests++;
    const m = r.method.toUpperCase();
    if (m === 'GET' || m === 'HEAD') t.get++;
    else if (m === 'POST') t.post++;
    const c = Math.floor(r.status / 100);
    if (c === 2) t.s2xx++;
    else if (c === 3) t.s3xx++;
    else if (c === 4) t.s4xx++;
    else if (c === 5) t.s5xx++;
    else t.other++;
    if (r.query.length > 0) {
      t.queried++;
      if (this.#queries.addIfNew(`${r.path}?${r.query}`)) t.novel++;
    }
    this.#sources.add(r.source);
    this.#paths.add(r.path);
    if (r.userAgent) this.#agents.add(r.userAgent);
    if (r.host) this.#hosts.add(r.host.toLowerCase());
    if (this.#login.has(r.path.toLowerCase())) {
      t.loginAttempts++;
      // A failed login: refused (401/403), or the form served again after a POST (success redirects).
      if (r.status === 401 || r.status === 403 || (m === 'POST' && r.status === 200)) {
        t.loginFailures++;
        this.#loginSources.add(r.source);
      }
    }
  }

  /** The tick so far, and a fresh one begins. */
  take(at: number, durationMs: number, connections: HttpTick['connections']): HttpTick {
    const t = this.#t;
    const n = this.#o.listSize;
    const tick: HttpTick = {
      at, durationMs, requests: t.requests, get: t.get, post: t.post,
      status: { s2xx: t.s2xx, s3xx: t.s3xx, s4xx: t.s4xx, s5xx: t.s5xx, other: t.other },
      queried: t.queried, novelQueries: t.novel, loginAttempts: t.loginAttempts, loginFailures: t.loginFailures,
      sources: this.#sources.top(n), paths: this.#paths.top(n), userAgents: this.#agents.top(n), hosts: this.#hosts.top(n), loginSources: this.#loginSources.top(n),
      connections,
    };
    this.#t = HttpAggregator.#zero();
    for (const c of [this.#sources, this.#paths, this.#agents, this.#hosts, this.#loginSources]) c.clear();
    return tick;
  }
}
