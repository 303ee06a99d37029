// Per-host thresholds: overrides of the policy's tier thresholds for one address or prefix. The form
// asks <tier>_pps and <tier>_bps for each tier the policy has (the keys ThresholdBody takes);
// operators add, change and remove them, viewers read.
import { useState } from 'react';
import { ThresholdBody, type ThresholdBody as Body } from '@breakwater/contracts';
import type { ApiError} from '../../api/client.ts';
import { api } from '../../api/client.ts';
import { url } from '../../api/routes.ts';
import { Problem } from '../../components/layout.tsx';
import { SchemaForm } from '../../components/schema-form.tsx';
import { useCan } from '../../session.tsx';
import { useApi } from '../../use-api.ts';
import { useFocusFirst } from './use-focus-first.ts';
import { formSchema, propOf } from './form-schema.ts';

const TOP = formSchema(ThresholdBody, { omit: ['thresholds'] });
type Row = { id: string; target_ip: string; label: string | null; thresholds: Record<string, number> };

export function ThresholdsSection({ tierNames }: { tierNames: string[] }) {
  const list = useApi('/api/v1/mitigation/thresholds');
  const canAct = useCan('operator');
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const remove = async (r: Row) => {
    if (!window.confirm(`Remove the override for ${r.target_ip}? It follows the policy again.`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/v1/mitigation/thresholds/:id', { params: { id: r.id } }));
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  return (
    <section className="card" aria-labelledby="thresholds-title">
      <div className="page-header"><h2 id="thresholds-title">Per-host thresholds</h2>
        {canAct && editing === null ? <div className="actions"><button type="button" onClick={() => setEditing('new')}>Add override</button></div> : null}
      </div>
      <Problem error={list.error ?? actionError} />
      {editing !== null ? <ThresholdForm key={editing === 'new' ? 'new' : editing.id} current={editing === 'new' ? null : editing} tierNames={tierNames} onDone={() => { setEditing(null); list.reload(); }} /> : null}
      {list.data && list.data.length === 0 ? <p className="muted">No override: every host follows the policy's tiers.</p> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-table="thresholds">
            <thead><tr><th scope="col">Target</th><th scope="col">Label</th><th scope="col">Thresholds</th>{canAct ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{list.data.map((r) => (
              <tr key={r.id} data-threshold={r.target_ip}>
                <th scope="row"><code>{r.target_ip}</code></th><td>{r.label ?? '—'}</td>
                <td>{Object.entries(r.thresholds).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(' · ')}</td>
                {canAct ? <td><div className="row-actions">
                  <button type="button" onClick={() => setEditing(r)} aria-label={`Edit override for ${r.target_ip}`}>Edit</button>
                  <button type="button" className="danger" onClick={() => void remove(r)} aria-label={`Remove override for ${r.target_ip}`}>Remove</button>
                </div></td> : null}
              </tr>
            ))}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function ThresholdForm({ current, tierNames, onDone }: { current: Row | null; tierNames: string[]; onDone: () => void }) {
  const focusRef = useFocusFirst<HTMLDivElement>();
  const [error, setError] = useState<unknown>(null);
  // The policy's tiers, and any key the override already has (a tier since renamed stays editable);
  // with no tier at all, ThresholdBody's own record (a JSON box).
  const keys = [...new Set([...tierNames.flatMap((n) => [`${n}_pps`, `${n}_bps`]), ...Object.keys(current?.thresholds ?? {})])];
  const record = propOf(ThresholdBody, 'thresholds') as Record<string, unknown>;
  const schema = {
    type: 'object', required: ['target_ip', 'thresholds'],
    properties: {
      ...TOP.properties,
      thresholds: keys.length === 0 ? record : {
        type: 'object', description: 'the policy\'s tiers for this host: give at least one',
        properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer', minimum: 1, title: k, description: `${k.endsWith('_pps') ? 'packets' : 'bits'} per second` }])),
      },
    },
  };
  const submit = async (value: Record<string, unknown>) => {
    const body = { ...value, thresholds: value.thresholds ?? {} } as Body;
    setError(null);
    try {
      if (current) await api.put(url('/api/v1/mitigation/thresholds/:id', { params: { id: current.id } }), body);
      else await api.post('/api/v1/mitigation/thresholds', body);
      onDone();
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  return (
    <div ref={focusRef} role="form" aria-label={current ? `Edit override for ${current.target_ip}` : 'Add override'} data-form="threshold">
      <SchemaForm schema={schema} value={current ? { target_ip: current.target_ip, ...(current.label ? { label: current.label } : {}), thresholds: current.thresholds } : undefined}
        error={error} onSubmit={submit} submitLabel="Save override" footer={<button type="button" onClick={onDone}>Cancel</button>} />
    </div>
  );
}
