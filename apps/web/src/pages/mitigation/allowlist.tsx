// The allowlist: addresses and prefixes mitigation never touches, workspace-wide or for one node.
// Each entry shows what it protects right now: the nodes whose address it holds (its own node only,
// for a node-scoped entry) and the active rules whose target overlaps it (none should be left: an
// entry withdraws them when it is added). Operators add and remove entries, viewers read.
import { useState } from 'react';
import { AllowBody, parsePrefix, prefixContains, prefixesOverlap, type AllowBody as Body } from '@breakwater/contracts';
import type { ApiError} from '../../api/client.ts';
import { api } from '../../api/client.ts';
import { url } from '../../api/routes.ts';
import type { LiveNode, RuleInfo } from '../../api/types.ts';
import { SelectField } from '../../components/field.tsx';
import { Problem } from '../../components/layout.tsx';
import { SchemaForm } from '../../components/schema-form.tsx';
import { ago } from '../../format.ts';
import { useLive } from '../../live/hooks.ts';
import { useCan } from '../../session.tsx';
import { useApi } from '../../use-api.ts';
import { useFocusFirst } from './use-focus-first.ts';
import { formSchema } from './form-schema.ts';

const FORM = formSchema(AllowBody, { omit: ['node'] });
type Entry = { id: string; ip_address: string; label: string | null; scope: string; node: string | null; created_by: string | null; created_at: string };

/** The nodes an entry covers now and the active rules that overlap it. */
export function protectedBy(e: Entry, nodes: LiveNode[], rules: RuleInfo[]): { nodes: LiveNode[]; rules: RuleInfo[] } {
  const p = parsePrefix(e.ip_address);
  if (!p) return { nodes: [], rules: [] };
  const inScope = nodes.filter((n) => (e.scope !== 'node' || n.uuid === e.node) && prefixContains(p, n.ip));
  const overlapping = rules.filter((r) => {
    const t = parsePrefix(r.target_ip);
    return t !== null && prefixesOverlap(p, t) && (e.scope !== 'node' || r.node_id === e.node);
  });
  return { nodes: inScope, rules: overlapping };
}

export function AllowlistSection({ rules }: { rules: RuleInfo[] }) {
  const canAct = useCan('operator');
  const nodes = useLive().frame?.nodes ?? [];
  const [nodeFilter, setNodeFilter] = useState('');
  const list = useApi(url('/api/v1/allowlist', { query: { node: nodeFilter || undefined } }));
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const nodeName = (id: string | null) => (id ? nodes.find((n) => n.uuid === id)?.name ?? id : '');
  const remove = async (e: Entry) => {
    if (!window.confirm(`Remove ${e.ip_address} from the allowlist? It can be mitigated again at once.`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/v1/allowlist/:id', { params: { id: e.id } }));
      setNotice(`${e.ip_address} removed from the allowlist.`);
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  return (
    <section className="card" aria-labelledby="allowlist-title">
      <div className="page-header"><h2 id="allowlist-title">Allowlist</h2>
        <div className="actions">
          <label className="filters">Show for node
            <select value={nodeFilter} onChange={(e) => setNodeFilter(e.target.value)} aria-label="Show for node">
              <option value="">all entries</option>
              {nodes.map((n) => <option key={n.uuid} value={n.uuid}>{n.name} ({n.ip})</option>)}
            </select>
          </label>
          {canAct && !adding ? <button type="button" onClick={() => { setNotice(null); setAdding(true); }}>Add to allowlist</button> : null}
        </div>
      </div>
      <Problem error={list.error ?? actionError} />
      {notice ? <p className="notice" role="status">{notice}</p> : null}
      {adding ? <AllowForm nodes={nodes} onDone={(msg) => { setAdding(false); if (msg) setNotice(msg); list.reload(); }} /> : null}
      {list.data && list.data.length === 0 ? <p className="muted">Nothing is allowlisted{nodeFilter ? ' for this node' : ''}.</p> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-table="allowlist">
            <thead><tr><th scope="col">Address or prefix</th><th scope="col">Scope</th><th scope="col">Protects now</th><th scope="col" className="hide-sm">Added</th>{canAct ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{list.data.map((e) => {
              const cover = protectedBy(e, nodes, rules);
              return (
                <tr key={e.id} data-allow={e.ip_address}>
                  <th scope="row"><code>{e.ip_address}</code>{e.label ? <div className="muted small">{e.label}</div> : null}</th>
                  <td>{e.scope === 'node' ? `node ${nodeName(e.node)}` : 'workspace'}</td>
                  <td data-protects>
                    {cover.nodes.length > 0 ? cover.nodes.map((n) => `${n.name} (${n.ip})`).join(', ') : <span className="muted">no node's address</span>}
                    {cover.rules.length > 0 ? <div className="field-error small">{cover.rules.length} active rule(s) overlap it</div> : null}
                  </td>
                  <td className="hide-sm">{ago(e.created_at)}{e.created_by ? <div className="muted small">{e.created_by}</div> : null}</td>
                  {canAct ? <td><button type="button" className="danger" onClick={() => void remove(e)} aria-label={`Remove ${e.ip_address} from the allowlist`}>Remove</button></td> : null}
                </tr>
              );
            })}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function AllowForm({ nodes, onDone }: { nodes: LiveNode[]; onDone: (notice: string | null) => void }) {
  const focusRef = useFocusFirst<HTMLDivElement>();
  const [node, setNode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (value: Record<string, unknown>) => {
    setError(null);
    try {
      const r = await api.post('/api/v1/allowlist', { ...value, ...(node ? { node } : {}) } as Body);
      onDone(`${r.ip_address} allowlisted${r.withdrawn_rules > 0 ? `; ${r.withdrawn_rules} active rule(s) it covered were withdrawn` : ''}.`);
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  // The node is chosen by name (the API takes its UUID); the rest is AllowBody's own fields.
  return (
    <div ref={focusRef} role="form" aria-label="Add to allowlist" data-form="allowlist">
      <SchemaForm schema={FORM} value={{ scope: 'workspace' }} error={error} onSubmit={submit} submitLabel="Allowlist" footer={<button type="button" onClick={() => onDone(null)}>Cancel</button>}>
        <SelectField label="node" name="node" value={node} onChange={(e) => setNode(e.target.value)} error={null} hint="required when the scope is node"
          options={[['', '—'], ...nodes.map((n) => [n.uuid, `${n.name} (${n.ip})`] as [string, string])]} />
      </SchemaForm>
    </div>
  );
}
