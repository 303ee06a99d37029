// An HTTP (layer 7) flood's own evidence, from the agent's access-log watch: who sent the requests,
// to which URIs, with which user agents, and how the server answered. Read loosely: it comes from
// the incident's free-form details.
import type { HttpIncidentDetails } from '@breakwater/contracts';

type Row = { key: string; count: number };

function rowsOf(v: unknown): Row[] {
  return Array.isArray(v) ? v.filter((r): r is Row => r !== null && typeof r === 'object' && typeof (r as Row).key === 'string' && typeof (r as Row).count === 'number') : [];
}

function isHttp(v: unknown): v is Partial<HttpIncidentDetails> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function HttpSection({ http }: { http: unknown }) {
  if (!isHttp(http)) return null;
  const share = isHttp(http) && http.status_share && typeof http.status_share === 'object' ? http.status_share : null;
  const lists: [string, string, Row[]][] = [
    ['Top URIs', 'uris', rowsOf(http.top_uris)],
    ['Top user agents', 'user-agents', rowsOf(http.top_user_agents)],
    ['Top request sources', 'http-sources', rowsOf(http.top_sources)],
    ['Top hosts', 'hosts', rowsOf(http.top_hosts)],
  ];
  return (
    <section className="card" aria-labelledby="http-title" data-section="http">
      <h2 id="http-title">HTTP requests</h2>
      <p>
        Peak <strong>{(http.peak_rps ?? 0).toLocaleString()}</strong> requests/s, {(http.requests ?? 0).toLocaleString()} requests seen;
        answered 4xx/5xx: <strong data-error-share>{http.error_share ?? 0} %</strong>
        {share ? <span className="muted"> (2xx {share['2xx']} %, 3xx {share['3xx']} %, 4xx {share['4xx']} %, 5xx {share['5xx']} %)</span> : null}
        {http.peak_open_connections ? <>; peak open connections {http.peak_open_connections.toLocaleString()}</> : null}
        {http.login_failures ? <>; failed logins {http.login_failures.toLocaleString()}</> : null}.
      </p>
      <p className="muted">A layer-7 flood: FlowSpec cannot separate it from real visitors. Rate-limit per source on the node, or turn on a WAF / under-attack mode.</p>
      <div className="grid-2">
        {lists.filter(([, , rows]) => rows.length > 0).map(([title, name, rows]) => (
          <div key={name} className="table-wrap">
            <table data-table={name}>
              <caption>{title}</caption>
              <thead><tr><th scope="col">{title.replace(/^Top /, '')}</th><th scope="col" className="num">Requests</th></tr></thead>
              <tbody>{rows.map((r) => <tr key={r.key}><th scope="row"><code>{r.key}</code></th><td className="num">{r.count.toLocaleString()}</td></tr>)}</tbody>
            </table>
          </div>
        ))}
      </div>
    </section>
  );
}
