// Flow collectors: each collector with its protected networks, its exporters' status (last
// datagram, templates, sampling rate in force, drops by the kernel, the queue, or refused), the
// flow nodes it reports on (each a node page with live charts and incidents, like an agent's), and
// the top talkers toward one protected host over a window.
import { useEffect, useState } from 'react';
import { url } from '../api/routes.ts';
import type { Collector, FlowExporter } from '../api/types.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { ago, si } from '../format.ts';
import { Link } from '../router.ts';
import { useApi } from '../use-api.ts';

const LIVE_MS = 5000;
const count = (v: number) => v.toLocaleString('en-US');

export function CollectorsPage() {
  const list = useApi('/api/v1/collectors');
  useEffect(() => {
    const timer = setInterval(list.reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [list.reload]);
  return (
    <>
      <PageHeader title="Flow collectors" />
      <Problem error={list.error} />
      {list.data && list.data.length === 0 ? <p className="muted">No flow collector yet: run <code>breakwater collector enroll</code> beside your routers.</p> : null}
      {list.data?.map((c) => <CollectorCard key={c.uuid} c={c} />)}
    </>
  );
}

function CollectorCard({ c }: { c: Collector }) {
  const [host, setHost] = useState<string>(c.flow_nodes[0]?.ip ?? '');
  return (
    <section className="card" aria-labelledby={`collector-${c.uuid}`} data-collector={c.name}>
      <h2 id={`collector-${c.uuid}`}>{c.name} <StatusBadge status={c.status} /></h2>
      <p className="muted">Protects {c.networks.join(', ')} · last heartbeat {ago(c.last_seen)}</p>
      <h3>Exporters</h3>
      {c.exporters.length === 0 ? <p className="muted">No datagram received yet.</p> : (
        <div className="table-wrap">
          <table data-table="exporters">
            <thead>
              <tr>
                <th scope="col">Exporter</th><th scope="col">Protocols</th><th scope="col">Last datagram</th><th scope="col" className="num">Datagrams</th>
                <th scope="col" className="num">Records</th><th scope="col" className="num">Templates</th><th scope="col">Sampling</th>
                <th scope="col" className="num">Socket drops</th><th scope="col" className="num">Queue drops</th><th scope="col" className="num">Decode errors</th>
              </tr>
            </thead>
            <tbody>{c.exporters.map((e) => <ExporterRow key={e.exporter} e={e} />)}</tbody>
          </table>
        </div>
      )}
      <h3>Protected hosts seen</h3>
      {c.flow_nodes.length === 0 ? <p className="muted">No flow toward the protected networks yet.</p> : (
        <ul data-list="flow-nodes">
          {c.flow_nodes.map((f) => <li key={f.uuid}><Link to={`/nodes/${f.uuid}`}>{f.ip}</Link> <span className="muted">({f.name})</span></li>)}
        </ul>
      )}
      {c.flow_nodes.length > 0 ? (
        <>
          <h3><label htmlFor={`talkers-${c.uuid}`}>Top talkers toward</label>{' '}
            <select id={`talkers-${c.uuid}`} value={host} onChange={(e) => setHost(e.target.value)}>
              {c.flow_nodes.map((f) => <option key={f.uuid} value={f.ip}>{f.ip}</option>)}
            </select> <span className="muted">(last 5 minutes)</span>
          </h3>
          {host ? <Talkers collector={c.uuid} host={host} /> : null}
        </>
      ) : null}
    </section>
  );
}

function ExporterRow({ e }: { e: FlowExporter }) {
  const errors = Object.values(e.decode_errors).reduce((a, b) => a + b, 0);
  return (
    <tr data-exporter={e.exporter}>
      <th scope="row">{e.exporter}{e.allowed ? null : <span className="badge tone-attack">not allowed: {count(e.drops.not_allowed)} dropped</span>}</th>
      <td>{e.protocols.join(', ') || '—'}</td>
      <td>{ago(e.last_datagram_at)}</td>
      <td className="num">{count(e.datagrams)}</td>
      <td className="num">{count(e.records)}</td>
      <td className="num" title={e.template_list.map((t) => `${t.template_id}${t.options ? ' (options)' : ''}: ${t.field_count} fields`).join('\n')}>{count(e.templates)}</td>
      <td data-sampling={e.sampling_rate}>1:{count(e.sampling_rate)} <span className="muted">({e.sampling_source})</span></td>
      <td className="num">{count(e.drops.socket)}</td>
      <td className="num">{count(e.drops.queue)}</td>
      <td className="num" title={Object.entries(e.decode_errors).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`).join('\n')}>{count(errors)}</td>
    </tr>
  );
}

function Talkers({ collector, host }: { collector: string; host: string }) {
  const t = useApi(url('/api/v1/collectors/:id/talkers', { params: { id: collector }, query: { host, window: 300, limit: 10 } }));
  useEffect(() => {
    const timer = setInterval(t.reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [t.reload]);
  if (t.error) return <Problem error={t.error} />;
  if (!t.data) return null;
  if (t.data.talkers.length === 0) return <p className="muted">No traffic toward {host} in the window.</p>;
  return (
    <div className="table-wrap">
      <table data-table="talkers">
        <thead><tr><th scope="col">Source</th><th scope="col" className="num">Packets</th><th scope="col" className="num">Bytes</th></tr></thead>
        <tbody>{t.data.talkers.map((s) => <tr key={s.ip}><th scope="row">{s.ip}</th><td className="num">{count(s.packets)}</td><td className="num">{si(s.bytes, 'B')}</td></tr>)}</tbody>
      </table>
    </div>
  );
}
