// Incidents, filtered by status, severity, node and family; the filters live in the URL.
import type { FormEvent } from 'react';
import { url } from '../api/routes.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { SeverityBadge } from '../components/status-badge.tsx';
import { bps, duration, label, pps, time } from '../format.ts';
import { useLive, useLiveEvent } from '../live/hooks.ts';
import { Link, navigate, useLocation } from '../router.ts';
import { useApi } from '../use-api.ts';

const LIMIT = 25;

export function IncidentsPage() {
  const { search } = useLocation();
  const { frame } = useLive();
  const status = search.get('status') ?? '';
  const severity = search.get('severity') ?? '';
  const node = search.get('node') ?? '';
  const family = search.get('family') ?? '';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const list = useApi(url('/api/v1/incidents', { query: { status, severity, node, limit: LIMIT, offset } }));
  useLiveEvent((e) => {
    if (e.type.startsWith('incident.')) list.reload();
  });
  const set = (patch: Record<string, string>) => {
    const q = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) if (v) q.set(k, v); else q.delete(k);
    if (!('offset' in patch)) q.delete('offset');
    const s = q.toString();
    navigate(`/incidents${s ? `?${s}` : ''}`, { replace: true });
  };
  // The API filters by status, severity and node; the family filter narrows the page shown.
  const rows = (list.data ?? []).filter((i) => !family || i.attack_family === family);
  const total = list.meta?.total ?? 0;
  return (
    <>
      <PageHeader title="Incidents" />
      <form className="filters card" role="search" aria-label="Filter incidents" onSubmit={(e: FormEvent) => e.preventDefault()}>
        <label>Status <select value={status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">any</option><option value="active">active</option><option value="resolved">resolved</option><option value="false_positive">false positive</option>
        </select></label>
        <label>Severity <select value={severity} onChange={(e) => set({ severity: e.target.value })}>
          <option value="">any</option>{['critical', 'high', 'medium', 'low'].map((s) => <option key={s} value={s}>{s}</option>)}
        </select></label>
        <label>Node <select value={node} onChange={(e) => set({ node: e.target.value })}>
          <option value="">all nodes</option>{frame?.nodes.map((n) => <option key={n.uuid} value={n.uuid}>{n.name}</option>)}
        </select></label>
        <label>Family <select value={family} onChange={(e) => set({ family: e.target.value })}>
          <option value="">any</option>{['udp_flood', 'syn_flood', 'tcp_flood', 'http_flood', 'icmp_flood', 'dns_flood', 'multi_vector', 'unknown'].map((f) => <option key={f} value={f}>{label(f)}</option>)}
        </select></label>
      </form>
      <Problem error={list.error} />
      <section className="card">
        <div className="table-wrap">
          <table data-table="incidents">
            <thead><tr><th scope="col">Attack</th><th scope="col">Node</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col" className="num">Peak</th><th scope="col" className="hide-sm">Started</th><th scope="col" className="hide-sm">Duration</th></tr></thead>
            <tbody>
              {rows.map((i) => (
                <tr key={i.uuid} data-incident={i.uuid}>
                  <th scope="row"><Link to={`/incidents/${i.uuid}`}>{label(i.attack_family)}</Link>{i.attack_subtype ? <div className="muted small">{label(i.attack_subtype)}</div> : null}</th>
                  <td><Link to={`/nodes/${i.node_uuid}`}>{i.node_name}</Link></td>
                  <td><SeverityBadge severity={i.severity} /></td>
                  <td><span className={`badge tone-${i.status === 'active' ? 'attack' : 'neutral'}`}>{label(i.status)}</span></td>
                  <td className="num">{pps(i.peak_pps)}<div className="muted small">{bps(i.peak_bps)}</div></td>
                  <td className="hide-sm">{time(i.started_at)}</td>
                  <td className="hide-sm">{i.status === 'active' ? 'ongoing' : duration(i.duration_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data && rows.length === 0 ? <p className="muted">No incident matches.</p> : null}
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - LIMIT)) })}>Newer</button>
          <span className="muted">{total === 0 ? 0 : offset + 1}–{Math.min(total, offset + LIMIT)} of {total}</span>
          <button type="button" disabled={offset + LIMIT >= total} onClick={() => set({ offset: String(offset + LIMIT) })}>Older</button>
        </nav>
      </section>
    </>
  );
}
