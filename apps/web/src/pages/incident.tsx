// One incident: what it was and why it was called so, how it went over time, where it came
// from, the captured packets and their analysis, and what mitigation did about it.
import { useMemo } from 'react';
import { url } from '../api/routes.ts';
import { BarList, entriesOf } from '../components/bar-list.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { SeverityBadge } from '../components/status-badge.tsx';
import { TimeChart, flat } from '../components/time-chart.tsx';
import { bps, duration, label, pps, time } from '../format.ts';
import { useLiveEvent } from '../live/hooks.ts';
import { Link } from '../router.ts';
import { useApi } from '../use-api.ts';
import { CaptureSection } from './incident-capture.tsx';
import { HttpSection } from './incident-http.tsx';

const TIMELINE = [
  { label: 'Packets/s', scale: 'pps' as const, color: '--c-pps', fill: true },
  { label: 'Threshold', scale: 'pps' as const, color: '--c-threshold', dash: true },
  { label: 'Bits/s', scale: 'bps' as const, color: '--c-bps' },
];

interface Threshold { name?: string; value?: number; observed?: number; source?: string }

/** Agents report these in the incident's free-form details: read them loosely. */
function asThreshold(v: unknown): Threshold | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

export function IncidentPage({ id }: { id: string }) {
  const inc = useApi(url('/api/v1/incidents/:id', { params: { id } }));
  const i = inc.data;
  const range = useMemo(() => {
    if (!i) return null;
    const start = Date.parse(i.started_at) - 60_000;
    const end = (i.resolved_at ? Date.parse(i.resolved_at) : Date.now()) + 30_000;
    return { from: start, to: end, step: Math.max(1, Math.ceil((end - start) / 1000 / 720)) };
  }, [i]);
  const series = useApi(i && range ? url('/api/v1/nodes/:id/metrics', { params: { id: i.node_uuid }, query: { from: String(range.from), to: String(range.to), step: range.step } }) : null);
  const rules = useApi(i ? url('/api/v1/mitigation/rules/history', { query: { incident: i.uuid, limit: 100 } }) : null);
  useLiveEvent((e) => {
    if ('incident_id' in e && e.incident_id === i?.uuid) {
      inc.reload();
      if (e.type.startsWith('mitigation.')) rules.reload();
    }
  });

  if (inc.error) return <><PageHeader title="Incident" /><Problem error={inc.error} /></>;
  if (!i) return <p className="loading" role="status">Loading…</p>;
  const d = i.details;
  const threshold = asThreshold(d.threshold);
  const fired = (Array.isArray(d.thresholds_fired) ? (d.thresholds_fired as unknown[]) : []).flatMap((x) => asThreshold(x) ?? []);
  const explanation = typeof d.explanation === 'string' ? d.explanation : null;
  const pts = series.data?.points ?? [];
  const xs = pts.map((p) => Date.parse(p.ts) / 1000);
  const ppsThreshold = threshold && /pps/.test(threshold.name ?? 'pps') ? threshold.value : null;
  const timeline = [xs, pts.map((p) => p.pps_max), flat(xs, ppsThreshold), pts.map((p) => p.bps_max)];
  const sources = entriesOf(i.top_src_ips);
  const ports = entriesOf(i.top_dst_ports);
  return (
    <>
      <PageHeader title={<>{label(i.attack_family)}{i.attack_subtype ? <small className="muted"> / {label(i.attack_subtype)}</small> : null}</>}>
        <SeverityBadge severity={i.severity} />
        <span className={`badge tone-${i.status === 'active' ? 'attack' : 'neutral'}`} data-incident-status={i.status}>{label(i.status)}</span>
      </PageHeader>
      <section className="tiles" aria-label="Incident summary">
        <div className="tile"><div className="tile-label">Node</div><div className="tile-value small"><Link to={`/nodes/${i.node_uuid}`}>{i.node_name}</Link></div></div>
        <div className="tile"><div className="tile-label">Peak</div><div className="tile-value">{pps(i.peak_pps)}</div><div className="tile-sub">{bps(i.peak_bps)}</div></div>
        <div className="tile"><div className="tile-label">Started</div><div className="tile-value small">{time(i.started_at)}</div></div>
        <div className="tile"><div className="tile-label">Duration</div><div className="tile-value small">{i.status === 'active' ? 'ongoing' : duration(i.duration_seconds)}</div></div>
        <div className="tile"><div className="tile-label">Sources</div><div className="tile-value">{i.source_ip_count ?? '—'}</div><div className="tile-sub">{i.spoofing_detected ? 'spoofed (TTL/entropy)' : 'not spoofed'}{i.botnet_detected ? ' · botnet signature' : ''}</div></div>
        <div className="tile"><div className="tile-label">Confidence</div><div className="tile-value">{i.confidence === null ? '—' : `${Math.round(i.confidence * (i.confidence <= 1 ? 100 : 1))} %`}</div></div>
      </section>
      <section className="card" aria-labelledby="why-title">
        <h2 id="why-title">Why this verdict</h2>
        <p data-explanation>{explanation ?? i.summary}</p>
        {explanation && i.summary !== explanation ? <p className="muted">{i.summary}</p> : null}
        {fired.length > 0 || threshold ? (
          <div className="table-wrap">
            <table>
              <thead><tr><th scope="col">Threshold fired</th><th scope="col" className="num">Limit</th><th scope="col" className="num">Observed</th><th scope="col">Source</th></tr></thead>
              <tbody>
                {(fired.length ? fired : [threshold!]).map((t, k) => (
                  <tr key={k}><th scope="row">{label(t.name ?? '')}</th><td className="num">{t.value?.toLocaleString() ?? '—'}</td><td className="num">{t.observed?.toLocaleString() ?? '—'}</td><td>{t.source ?? '—'}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <section className="card">
        <TimeChart name="incident-timeline" title="Attack timeline (per-second peaks)" series={TIMELINE} data={timeline}
          summary={`peak ${pps(i.peak_pps)}, ${bps(i.peak_bps)}; ${pts.length} points`} />
        {series.data && pts.length === 0 ? <p className="muted">No traffic samples stored for this period.</p> : null}
      </section>
      <div className="grid-3">
        <BarList title="Protocols" entries={entriesOf(i.protocol_breakdown)} unit="%" />
        <BarList title="TCP flags" entries={entriesOf(i.tcp_flag_breakdown)} />
        <BarList title="Countries" entries={entriesOf(i.geo_breakdown)} />
      </div>
      <div className="grid-2">
        <TopTable title="Top sources" head="Source IP" rows={sources} name="sources" />
        <TopTable title="Top destination ports" head="Port" rows={ports} name="ports" />
      </div>
      <HttpSection http={d.http} />
      {Array.isArray(i.ioc_matches) && i.ioc_matches.length > 0 ? (
        <section className="card"><h2>IOC matches</h2><ul>{(i.ioc_matches as unknown[]).map((m, k) => <li key={k}><code>{typeof m === 'string' ? m : JSON.stringify(m)}</code></li>)}</ul></section>
      ) : null}
      <CaptureSection pcaps={i.pcaps} />
      <section className="card" aria-labelledby="mit-title">
        <h2 id="mit-title">Mitigation actions</h2>
        {rules.error ? <p className="muted">{rules.error.status === 404 ? 'Mitigation is not available on this server.' : rules.error.message}</p> : null}
        {rules.data && rules.data.length === 0 ? <p className="muted">No mitigation rule was applied for this incident.</p> : null}
        {rules.data && rules.data.length > 0 ? (
          <div className="table-wrap">
            <table data-table="incident-rules">
              <thead><tr><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Adapter</th><th scope="col">Status</th><th scope="col">Tier</th><th scope="col">When</th></tr></thead>
              <tbody>{rules.data.map((r) => (
                <tr key={r.id}><th scope="row">{r.intent_type}</th><td><code>{r.target_ip}</code></td><td>{r.adapter_name ?? '—'}</td><td>{r.status}{r.error ? <div className="field-error">{r.error}</div> : null}</td><td>{r.tier ?? 'manual'}</td><td>{time(r.created_at)}{r.withdrawn_at ? <div className="muted small">withdrawn {time(r.withdrawn_at)}</div> : null}</td></tr>
              ))}</tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}

function TopTable({ title, head, rows, name }: { title: string; head: string; rows: [string, number][]; name: string }) {
  const total = rows.reduce((a, [, n]) => a + n, 0);
  return (
    <section className="card" aria-label={title}>
      <h3>{title}</h3>
      {rows.length === 0 ? <p className="muted">Nothing reported</p> : (
        <div className="table-wrap">
          <table data-table={name}>
            <thead><tr><th scope="col">{head}</th><th scope="col" className="num">Packets</th><th scope="col" className="num">Share</th></tr></thead>
            <tbody>{rows.map(([k, n]) => <tr key={k}><th scope="row"><code>{k}</code></th><td className="num">{n.toLocaleString()}</td><td className="num">{total ? `${Math.round((n / total) * 1000) / 10} %` : '—'}</td></tr>)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
