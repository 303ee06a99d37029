// Nodes: search, filter by status and tag, sort by name, status, last seen or traffic (the API does
// the filtering and ordering, so it holds for any fleet size; the filters live in the URL). Operators
// open a node's settings (name, tags, thresholds); admins add a node (a deploy token and the enrol
// command to run on it) and delete one. Each node links to its live page and the fleet view.
// Labels the browser tests drive: "Search", "Status", "Tag", "Sort by", "Add a node", "Settings for
// NAME", "Delete NAME".
import { useState, type FormEvent } from 'react';
import { url } from '../api/routes.ts';
import { fleetApi } from '../api/fleet.ts';
import { ApiError } from '../api/client.ts';
import type { Node } from '../api/types.ts';
import { PageHeader, Problem } from '../components/layout.tsx';
import { Pill, StatusBadge } from '../components/status-badge.tsx';
import { ago, pps } from '../format.ts';
import { useLiveEvent } from '../live/hooks.ts';
import { Link, navigate, useLocation } from '../router.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';
import { NodeAdd } from './nodes-add.tsx';
import { NodeSettings } from './nodes-settings.tsx';

const LIMIT = 50;
const STATUSES = ['online', 'offline', 'attack', 'elevated'] as const;
const SORTS: [string, string][] = [['', 'Added first'], ['name', 'Name'], ['status', 'Status (under attack first)'], ['last_seen', 'Last seen'], ['traffic', 'Traffic (busiest first)']];

export function NodesPage() {
  const { search } = useLocation();
  const operator = useCan('operator');
  const admin = useCan('admin');
  const q = search.get('q') ?? '';
  const status = search.get('status') ?? '';
  const tag = search.get('tag') ?? '';
  const sort = search.get('sort') ?? '';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const [typed, setTyped] = useState(q);
  // ?edit=UUID (the node page's "Edit node") opens that node's settings.
  const [editing, setEditing] = useState<string | null>(search.get('edit'));
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const list = useApi(url('/api/v1/nodes', { query: { q, status, tag, sort, limit: LIMIT, offset } }));
  // Tags to pick from: every tag of the nodes shown unfiltered (first page), kept as the user filters.
  const all = useApi(url('/api/v1/nodes', { query: { limit: 100 } }));
  useLiveEvent((e) => {
    if (e.type.startsWith('incident.')) list.reload();
  });
  const set = (patch: Record<string, string>) => {
    const s = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) if (v) s.set(k, v); else s.delete(k);
    if (!('offset' in patch)) s.delete('offset');
    const str = s.toString();
    navigate(`/nodes${str ? `?${str}` : ''}`, { replace: true });
  };
  const tags = [...new Set([...(all.data ?? []).flatMap((n) => n.tags), ...(tag ? [tag] : [])])].sort();
  const rows = list.data ?? [];
  const total = list.meta?.total ?? 0;
  const reload = () => {
    list.reload();
    all.reload();
  };
  const remove = async (n: Node) => {
    if (!window.confirm(`Delete ${n.name} (${n.ip}) and all its history (metrics, incidents, captures, commands)? Its live mitigation rules are withdrawn first. This cannot be undone.`)) return;
    setActionError(null);
    try {
      await fleetApi.remove(n.uuid);
      if (editing === n.uuid) setEditing(null);
    } catch (e) {
      setActionError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    }
    reload();
  };
  const editingNode = rows.find((n) => n.uuid === editing) ?? null;
  return (
    <>
      <PageHeader title="Nodes">
        <span className="muted">{list.meta ? `${total} ${total === 1 ? 'node' : 'nodes'}` : ''}</span>
        <Link to="/fleet">Fleet view</Link>
        {/* Deploy tokens are an admin's to make; operators enrol with a single-use install one-liner. */}
        {admin ? <button type="button" className="primary" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>Add a node</button> : operator ? <Link to="/fleet/deploy">Install one-liner</Link> : null}
      </PageHeader>
      {adding && admin ? <NodeAdd onClose={() => setAdding(false)} onEnrolled={reload} /> : null}
      <form className="filters card" role="search" aria-label="Filter nodes" onSubmit={(e: FormEvent) => { e.preventDefault(); set({ q: typed.trim() }); }}>
        <label>Search <input type="search" name="q" aria-label="Search" value={typed} placeholder="name or IP" onChange={(e) => setTyped(e.target.value)} onBlur={() => typed.trim() !== q && set({ q: typed.trim() })} /></label>
        <label>Status <select name="status" aria-label="Status" value={status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">any</option>{STATUSES.map((s) => <option key={s} value={s}>{s === 'attack' ? 'under attack' : s}</option>)}
        </select></label>
        <label>Tag <select name="tag" aria-label="Tag" value={tag} onChange={(e) => set({ tag: e.target.value })}>
          <option value="">any</option>{tags.map((t) => <option key={t} value={t}>{t}</option>)}
        </select></label>
        <label>Sort by <select name="sort" aria-label="Sort by" value={sort} onChange={(e) => set({ sort: e.target.value })}>
          {SORTS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select></label>
        <button type="submit">Search</button>
      </form>
      <Problem error={list.error ?? actionError} />
      {editingNode && operator ? <NodeSettings key={editingNode.uuid} node={editingNode} onClose={() => setEditing(null)} onSaved={reload} /> : null}
      <section className="card" aria-label="Nodes">
        <div className="table-wrap">
          <table data-table="nodes">
            <thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col">Tags</th><th scope="col" className="num">Traffic</th><th scope="col" className="hide-sm">Last seen</th>{operator ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>
              {rows.map((n) => (
                <tr key={n.uuid} data-node={n.uuid} data-name={n.name} data-status={n.status}>
                  <th scope="row"><Link to={`/nodes/${n.uuid}`}>{n.name}</Link><div className="muted small">{n.ip}{n.kind && n.kind !== 'agent' ? ` · ${n.kind}` : ''}</div></th>
                  <td><StatusBadge status={n.status} /></td>
                  <td data-tags={n.tags.join(' ')}>{n.tags.length ? n.tags.map((t) => <Pill key={t} tone="neutral">{t}</Pill>) : <span className="muted">—</span>}</td>
                  <td className="num">{pps(n.current.pps)}</td>
                  <td className="hide-sm muted">{ago(n.last_seen_at)}</td>
                  {operator ? (
                    <td className="row-actions">
                      <button type="button" aria-label={`Settings for ${n.name}`} aria-expanded={editing === n.uuid} onClick={() => setEditing(editing === n.uuid ? null : n.uuid)}>Settings</button>
                      {admin ? <button type="button" className="danger" aria-label={`Delete ${n.name}`} onClick={() => void remove(n)}>Delete</button> : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data && rows.length === 0 ? <p className="muted">{q || status || tag ? 'No node matches.' : admin ? 'No nodes yet: add one above.' : 'No nodes yet.'}</p> : null}
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - LIMIT)) })}>Previous</button>
          <span className="muted">{total === 0 ? 0 : offset + 1}–{Math.min(total, offset + LIMIT)} of {total}</span>
          <button type="button" disabled={offset + LIMIT >= total} onClick={() => set({ offset: String(offset + LIMIT) })}>Next</button>
        </nav>
      </section>
    </>
  );
}
