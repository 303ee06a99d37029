// Which kind of HTTP flood the window shows. Rules in order, the first that holds decides; each
// verdict says which rule and which share.
import type { HttpFloodSubtype } from '@breakwater/contracts';
import type { HttpMetric, HttpWindowSums } from './http-window.ts';
import { topOf } from './http-window.ts';

export interface HttpVerdict {
  subtype: HttpFloodSubtype;
  /** 0..100 */
  confidence: number;
  rule: string;
}

const pct = (a: number, b: number) => (b > 0 ? Math.round((100 * a) / b) : 0);

/** `primary` is the metric that opened the incident: many held connections that opened it stay slowloris even when they end as a burst of 400s in the log. */
export function classifyHttp(s: HttpWindowSums, fired: ReadonlySet<HttpMetric>, primary?: HttpMetric): HttpVerdict {
  const req = s.requests;
  if (fired.has('login_failure_rps')) {
    return { subtype: 'login_brute_force', confidence: Math.max(60, pct(s.loginFailures, Math.max(1, s.loginAttempts))), rule: `failed logins ${s.loginFailures} of ${s.loginAttempts} login requests (${pct(s.loginFailures, s.loginAttempts)}%)` };
  }
  const requestRules = ['rps', 'post_rps', 'source_rps', 'uri_rps', 'novel_query_rps'] as const;
  const byConnections = primary === 'open_connections' || primary === 'source_connections';
  if (byConnections || ((fired.has('open_connections') || fired.has('source_connections')) && !requestRules.some((m) => fired.has(m)))) {
    const open = s.connections?.open ?? 0;
    return { subtype: 'slowloris', confidence: 80, rule: `${open} open connections to the web ports while requests stay below their thresholds (${req} in the window)` };
  }
  if (fired.has('novel_query_rps') || (req > 0 && s.novelQueries >= 0.5 * req)) {
    return { subtype: 'cache_busting', confidence: Math.max(50, pct(s.novelQueries, req)), rule: `${pct(s.novelQueries, req)}% of requests carry a query string not seen before` };
  }
  if (req > 0 && s.post >= 0.5 * req) {
    return { subtype: 'post_flood', confidence: pct(s.post, req), rule: `POST is ${pct(s.post, req)}% of requests` };
  }
  const topPath = topOf(s.paths, 1)[0];
  if (topPath && fired.has('uri_rps') && topPath.count >= 0.5 * req) {
    return { subtype: 'uri_hammering', confidence: pct(topPath.count, req), rule: `one path (${topPath.key.slice(0, 120)}) takes ${pct(topPath.count, req)}% of requests` };
  }
  return { subtype: 'get_flood', confidence: Math.max(50, pct(s.get, req)), rule: `GET is ${pct(s.get, req)}% of requests, spread over ${s.paths.size} paths` };
}
