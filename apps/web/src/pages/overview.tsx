// The fleet at a glance: every node's status and traffic, the workspace's totals live, and
// what is under attack right now.
import { useMemo } from 'react';
import { url } from '../api/routes.ts';
import type { LiveNode } from '../api/types.ts';
import { BarList } from '../components/bar-list.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { SeverityBadge, StatusBadge } from '../components/status-badge.tsx';
import { TimeChart } from '../components/time-chart.tsx';
import { ago, bps, label, pps } from '../format.ts';
import { useLive, useLiveEvent } from '../live/hooks.ts';
import { live } from '../live/live-store.ts';
import { Link } from '../router.ts';
import { useApi } from '../use-api.ts';

const ORDER: Record<string, number> = { attack: 0, elevated: 1, offline: 2, online: 3 };
const WS_SERIES = [
  { label: 'Packets/s', scale: 'pps' as const, color: '--c-pps', fill: true },
  { label: 'Bits/s', scale: 'bps' as const, color: '--c-bps' },
];

export function OverviewPage() {
  const { frame, version } = useLive();
  const incidents = useApi(url('/api/v1/incidents', { query: { status: 'active', limit: 20 } }));
  useLiveEvent((e) => {
    if (e.type.startsWith('incident.')) incidents.reload();
  });
  const w = live.workspace;
  // A new array identity per update: the chart redraws once per frame.
  const data = useMemo(() => [w.ts.map((t) => t / 1000), [...w.pps], [...w.bps]], [version]);
  const nodes = useMemo(() => [...(frame?.nodes ?? [])].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.name.localeCompare(b.name)), [frame]);
  const c = frame?.counts;
  return (
    <>
      <PageHeader title="Overview" />
      <section className="tiles" aria-label="Fleet summary">
        <Tile label="Nodes" value={c ? String(c.total) : '…'} />
        <Tile label="Online" value={c ? String(c.online) : '…'} tone="online" />
        <Tile label="Under attack" value={c ? String(c.attack) : '…'} tone={c && c.attack > 0 ? 'attack' : undefined} testid="attack-count" />
        <Tile label="Elevated" value={c ? String(c.elevated) : '…'} tone={c && c.elevated > 0 ? 'elevated' : undefined} />
        <Tile label="Offline" value={c ? String(c.offline) : '…'} tone={c && c.offline > 0 ? 'offline' : undefined} />
        <Tile label="Active incidents" value={frame ? String(frame.active_incidents) : '…'} />
        <Tile label="Traffic" value={frame ? pps(frame.workspace.pps) : '…'} sub={frame ? bps(frame.workspace.bps) : undefined} testid="workspace-pps" />
      </section>
      <div className="grid-2-1">
        <section className="card">
          <TimeChart name="workspace" title="Workspace traffic (all nodes, live)" series={WS_SERIES} data={data}
            summary={frame ? `now ${pps(frame.workspace.pps)}, ${bps(frame.workspace.bps)}` : 'waiting for data'} />
        </section>
        <BarList title="Protocol mix (workspace)" unit="%" empty="No traffic reported"
          entries={frame ? [['TCP', frame.workspace.tcp_pct ?? 0], ['UDP', frame.workspace.udp_pct ?? 0], ['ICMP', frame.workspace.icmp_pct ?? 0]] : []} />
      </div>
      <div className="grid-2-1">
        <section className="card" aria-labelledby="nodes-title">
          <h2 id="nodes-title">Nodes</h2>
          {!frame ? <p className="muted" role="status">Connecting to the live stream…</p> : nodes.length === 0 ? (
            <p className="muted">No nodes yet. Deploy an agent with a deploy token (Settings → Tokens).</p>
          ) : (
            <div className="table-wrap">
              <table className="nodes">
                <thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col" className="num">Packets/s</th><th scope="col" className="num">Bits/s</th><th scope="col" className="hide-sm">Mix TCP/UDP/ICMP</th></tr></thead>
                <tbody>{nodes.map((n) => <NodeRow key={n.uuid} n={n} />)}</tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="active-title">
          <h2 id="active-title">Active incidents</h2>
          <Problem error={incidents.error} />
          {incidents.data && incidents.data.length === 0 ? <p className="muted">No attack in progress.</p> : null}
          <ul className="incident-list" data-list="active-incidents">
            {incidents.data?.map((i) => (
              <li key={i.uuid}>
                <Link to={`/incidents/${i.uuid}`}><strong>{label(i.attack_family)}</strong> on {i.node_name}</Link>
                <div><SeverityBadge severity={i.severity} /> <span className="muted">peak {pps(i.peak_pps)} · since {ago(i.started_at)}</span></div>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}

function NodeRow({ n }: { n: LiveNode }) {
  return (
    <tr data-node={n.uuid} className={`row-${n.status}`}>
      <th scope="row"><Link to={`/nodes/${n.uuid}`}>{n.name}</Link><div className="muted small">{n.ip}</div></th>
      <td><StatusBadge status={n.status} /></td>
      <td className="num">{pps(n.pps)}</td>
      <td className="num">{bps(n.bps)}</td>
      <td className="hide-sm">{n.tcp_pct === null ? '—' : `${Math.round(n.tcp_pct)} / ${Math.round(n.udp_pct ?? 0)} / ${Math.round(n.icmp_pct ?? 0)} %`}</td>
    </tr>
  );
}

function Tile({ label: text, value, sub, tone, testid }: { label: string; value: string; sub?: string | undefined; tone?: string | undefined; testid?: string }) {
  return (
    <div className={`tile${tone ? ` tone-${tone}` : ''}`} data-tile={testid}>
      <div className="tile-label">{text}</div>
      <div className="tile-value">{value}</div>
      {sub ? <div className="tile-sub">{sub}</div> : null}
    </div>
  );
}
