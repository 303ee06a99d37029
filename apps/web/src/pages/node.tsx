// One node: live traffic with its baseline and threshold, protocol mix over time, recent
// incidents, and what its agent reports about itself.
import { useMemo } from 'react';
import { url } from '../api/routes.ts';
import type { LiveSample } from '../api/types.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { SeverityBadge, StatusBadge } from '../components/status-badge.tsx';
import { TimeChart, flat } from '../components/time-chart.tsx';
import { ago, bps, duration, label, pct, pps, time } from '../format.ts';
import { useLive, useLiveEvent } from '../live/hooks.ts';
import { WINDOW_SECONDS, live } from '../live/live-store.ts';
import { Link } from '../router.ts';
import { useApi } from '../use-api.ts';
import { NodeCommands } from './node-commands.tsx';
import { NodeFiles } from './node-files.tsx';
import { NodeLogs } from './node-logs.tsx';
import { useCan } from '../session.tsx';

const PPS_SERIES = [
  { label: 'Packets/s', scale: 'pps' as const, color: '--c-pps', fill: true },
  { label: 'Baseline p99', scale: 'pps' as const, color: '--c-baseline', dash: true },
  { label: 'Threshold', scale: 'pps' as const, color: '--c-threshold', dash: true },
];
const BPS_SERIES = [{ label: 'Bits/s', scale: 'bps' as const, color: '--c-bps', fill: true }];
const MIX_SERIES = [
  { label: 'TCP', scale: '%' as const, color: '--c-tcp' },
  { label: 'UDP', scale: '%' as const, color: '--c-udp' },
  { label: 'ICMP', scale: '%' as const, color: '--c-icmp' },
];

export function NodePage({ id }: { id: string }) {
  const node = useApi(url('/api/v1/nodes/:id', { params: { id } }));
  const operator = useCan('operator');
  // The history is fetched once; the stream appends from there.
  const from = useMemo(() => Date.now() - WINDOW_SECONDS * 1000, []);
  const history = useApi(url('/api/v1/nodes/:id/metrics', { params: { id }, query: { from: String(from), step: 1 } }));
  const incidents = useApi(url('/api/v1/incidents', { query: { node: node.data?.uuid ?? id, limit: 10 } }));
  const { frame, version } = useLive();
  const liveNode = frame?.nodes.find((n) => n.uuid === node.data?.uuid);
  useLiveEvent((e) => {
    if ('node_id' in e && e.node_id === node.data?.uuid) {
      incidents.reload();
      node.reload();
    }
  });

  const samples = useMemo(() => {
    const byTs = new Map<number, LiveSample>();
    for (const p of history.data?.points ?? []) {
      const ts = Date.parse(p.ts);
      byTs.set(ts, [ts, p.pps, p.bps, p.tcp_pct, p.udp_pct, p.icmp_pct]);
    }
    if (node.data) for (const s of live.nodeSamples(node.data.uuid)) byTs.set(s[0], s);
    const all = [...byTs.values()].sort((a, b) => a[0] - b[0]);
    const cutoff = (all[all.length - 1]?.[0] ?? 0) - WINDOW_SECONDS * 1000;
    return all.filter((s) => s[0] >= cutoff);
  }, [history.data, node.data, version]);

  const n = node.data;
  const xs = samples.map((s) => s[0] / 1000);
  const ppsData = [xs, samples.map((s) => s[1]), flat(xs, n?.baseline.p99_pps), flat(xs, n?.pps_threshold)];
  const bpsData = [xs, samples.map((s) => s[2])];
  const mixData = [xs, samples.map((s) => s[3]), samples.map((s) => s[4]), samples.map((s) => s[5])];
  const status = liveNode?.status ?? n?.status;
  const cur = liveNode ?? (n ? { pps: n.current.pps, bps: n.current.bps, tcp_pct: n.current.tcp_pct, udp_pct: n.current.udp_pct, icmp_pct: n.current.icmp_pct } : null);

  if (node.error) return <><PageHeader title="Node" /><Problem error={node.error} /></>;
  if (!n) return <p className="loading" role="status">Loading…</p>;
  return (
    <>
      <PageHeader title={<>{n.name} {status ? <StatusBadge status={status} /> : null}</>}>
        <span className="muted">{n.ip} · {n.location ?? 'no location'} · {n.interface}</span>
        {operator ? <Link to={`/nodes?q=${encodeURIComponent(n.name)}&edit=${n.uuid}`}>Edit node</Link> : null}
      </PageHeader>
      <section className="tiles" aria-label="Current traffic">
        <div className="tile"><div className="tile-label">Packets/s</div><div className="tile-value" data-tile="node-pps">{pps(cur?.pps)}</div></div>
        <div className="tile"><div className="tile-label">Bits/s</div><div className="tile-value">{bps(cur?.bps)}</div></div>
        <div className="tile"><div className="tile-label">TCP / UDP / ICMP</div><div className="tile-value small">{pct(cur?.tcp_pct)} / {pct(cur?.udp_pct)} / {pct(cur?.icmp_pct)}</div></div>
        <div className="tile"><div className="tile-label">Baseline p99 ({n.baseline.source})</div><div className="tile-value">{pps(n.baseline.p99_pps)}</div><div className="tile-sub">mean {pps(n.baseline.mean_pps)}</div></div>
        <div className="tile"><div className="tile-label">Threshold</div><div className="tile-value">{pps(n.pps_threshold)}</div><div className="tile-sub">{bps(n.bps_threshold)}</div></div>
      </section>
      <div className="grid-2">
        <section className="card">
          <TimeChart name="node-pps" title="Packets per second (live)" series={PPS_SERIES} data={ppsData} summary={`now ${pps(cur?.pps)}; baseline p99 ${pps(n.baseline.p99_pps)}; threshold ${pps(n.pps_threshold)}`} />
        </section>
        <section className="card">
          <TimeChart name="node-bps" title="Bits per second (live)" series={BPS_SERIES} data={bpsData} summary={`now ${bps(cur?.bps)}`} />
        </section>
        <section className="card">
          <TimeChart name="node-mix" title="Protocol mix (live)" series={MIX_SERIES} data={mixData} height={180} summary={`TCP ${pct(cur?.tcp_pct)}, UDP ${pct(cur?.udp_pct)}, ICMP ${pct(cur?.icmp_pct)}`} />
        </section>
        <section className="card" aria-labelledby="node-incidents">
          <h2 id="node-incidents">Recent incidents</h2>
          {incidents.data && incidents.data.length === 0 ? <p className="muted">None.</p> : null}
          <ul className="incident-list">
            {incidents.data?.map((i) => (
              <li key={i.uuid}>
                <Link to={`/incidents/${i.uuid}`}><strong>{label(i.attack_family)}</strong> {i.attack_subtype ? `(${label(i.attack_subtype)})` : ''}</Link>
                <div><SeverityBadge severity={i.severity} /> <span className="muted">{i.status} · {time(i.started_at)} · {i.duration_seconds !== null ? duration(i.duration_seconds) : 'ongoing'} · peak {pps(i.peak_pps)}</span></div>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="agent-title">
        <h2 id="agent-title">{n.kind === 'flow' ? 'Flow node (traffic seen by a collector)' : 'Agent'}</h2>
        <dl className="facts">
          <dt>Version</dt><dd>{n.agent_version ?? '—'}</dd>
          <dt>OS</dt><dd>{n.os ?? '—'}</dd>
          <dt>Last seen</dt><dd>{ago(n.last_seen_at)}</dd>
          <dt>Uptime</dt><dd>{duration(n.uptime_seconds)}</dd>
          <dt>Priority</dt><dd>{n.priority}</dd>
          <dt>Tags</dt><dd>{n.tags.length ? n.tags.join(', ') : '—'}</dd>
          <dt>Node UUID</dt><dd><code>{n.uuid}</code></dd>
          {Object.entries(n.agent).filter(([k]) => k !== 'received_at').map(([k, v]) => (
            <FactRow key={k} k={k} v={v} />
          ))}
        </dl>
      </section>
      {/* A flow node is an address a collector watches: no agent runs there to take commands, logs or files. */}
      {n.kind === 'flow' ? null : (
        <>
          <NodeCommands agent={n.uuid} />
          {operator ? <NodeLogs agent={n.uuid} /> : null}
          {operator ? <NodeFiles agent={n.uuid} /> : null}
        </>
      )}
    </>
  );
}

function FactRow({ k, v }: { k: string; v: unknown }) {
  return <><dt>{label(k)}</dt><dd>{typeof v === 'object' && v !== null ? <code>{JSON.stringify(v)}</code> : String(v)}</dd></>;
}
