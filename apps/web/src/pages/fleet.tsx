// The fleet: every agent with its status, tags, version and the host as it last reported it
// (CPU, memory, disk, uptime), read again every 15 s. An admin may remove an agent for good.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { fleetApi, type AgentListItem } from '../api/fleet.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { Pill, StatusBadge } from '../components/status-badge.tsx';
import { ago, duration, pct } from '../format.ts';
import { Link } from '../router.ts';
import { useCan } from '../session.tsx';

function Meter({ label, value }: { label: string; value: number | null }) {
  if (value === null) return <span className="muted">—</span>;
  return (
    <span className="meter" title={`${label} ${pct(value)}`}>
      <meter min={0} max={100} low={70} high={90} optimum={10} value={value} aria-label={label} />
      <span>{pct(value)}</span>
    </span>
  );
}

export function FleetPage() {
  const [rows, setRows] = useState<AgentListItem[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const isAdmin = useCan('admin');
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    fleetApi.list().then((r) => live && (setRows(r), setError(null)), (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      live = false;
    };
  }, [tick]);
  useEffect(() => {
    const t = setInterval(reload, 15_000);
    return () => clearInterval(t);
  }, [reload]);
  const remove = async (a: AgentListItem) => {
    if (!window.confirm(`Remove ${a.label} and all its history (metrics, incidents, captures, commands)? Its live rules are withdrawn first. This cannot be undone.`)) return;
    try {
      await fleetApi.remove(a.id);
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    }
  };
  const online = rows?.filter((r) => r.status !== 'offline').length ?? 0;
  return (
    <section>
      <PageHeader title="Fleet">
        <span className="muted">{rows ? `${online} of ${rows.length} online` : ''}{rows?.some((r) => r.outdated) ? ` · ${rows.filter((r) => r.outdated).length} older than this server` : ''}</span>
        <Link to="/fleet/deploy">Add agents</Link>
      </PageHeader>
      {error ? <Problem error={error} /> : null}
      {rows === null ? <p className="loading" role="status">Loading…</p> : rows.length === 0 ? <p className="muted">No agents yet.</p> : (
        <div className="table-wrap">
          <table aria-label="Agents">
            <thead>
              <tr><th>Agent</th><th>Status</th><th>Host</th><th>Version</th><th>Tags</th><th>CPU</th><th>Memory</th><th>Disk</th><th>Uptime</th><th>Last seen</th>{isAdmin ? <th><span className="sr-only">Actions</span></th> : null}</tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-agent={a.id} data-status={a.status}>
                  <td><Link to={`/nodes/${a.id}`}><strong>{a.label}</strong></Link><div className="muted">{a.ip}</div></td>
                  <td><StatusBadge status={a.status} /></td>
                  <td>{a.hostname ?? '—'}<div className="muted">{a.os ?? ''}</div></td>
                  <td data-outdated={a.outdated}>{a.version ?? '—'}{a.outdated ? <> <Pill tone="elevated">outdated</Pill></> : null}</td>
                  <td>{a.tags.length ? a.tags.map((t) => <Pill key={t} tone="neutral">{t}</Pill>) : <span className="muted">—</span>}</td>
                  <td data-metric="cpu"><Meter label="CPU" value={a.host.cpu_percent} /></td>
                  <td data-metric="mem"><Meter label="Memory" value={a.host.mem_percent} /></td>
                  <td data-metric="disk"><Meter label="Disk" value={a.host.disk_percent} /></td>
                  <td>{a.host.uptime_s === null ? '—' : duration(a.host.uptime_s)}</td>
                  <td className="muted">{a.last_seen === null ? 'never' : ago(a.last_seen * 1000)}</td>
                  {isAdmin ? <td><button type="button" className="danger" onClick={() => void remove(a)} aria-label={`Remove ${a.label}`}>Remove</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
