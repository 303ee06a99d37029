// Maintenance windows: while one covers a node its incidents notify nobody (recorded as suppressed).
// Listed for everyone; operators add and delete them through the form drawn from MaintenanceWindowBody.
import { useState } from 'react';
import { MaintenanceWindowBody } from '@breakwater/contracts';
import { api, type ApiError } from '../api/client.ts';
import { url, type BodyOf } from '../api/routes.ts';
import { Problem } from '../components/layout.tsx';
import { SchemaForm } from '../components/schema-form.tsx';
import { time } from '../format.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';

export function MaintenanceWindows() {
  const canEdit = useCan('operator');
  const list = useApi('/api/v1/maintenance-windows');
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  const now = Date.now();
  const submit = async (v: Record<string, unknown>) => {
    setError(null);
    try {
      await api.post('/api/v1/maintenance-windows', v as BodyOf<'POST', '/api/v1/maintenance-windows'>);
      setRound((r) => r + 1);
      list.reload();
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  const remove = async (id: string, name: string) => {
    if (!window.confirm(`Delete maintenance window ${name}?`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/v1/maintenance-windows/:id', { params: { id } }));
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  return (
    <section className="card" aria-labelledby="maintenance-title">
      <h2 id="maintenance-title">Maintenance windows</h2>
      <p className="muted">While a window covers a node, its incidents are still detected and mitigated but notify nobody.</p>
      <Problem error={list.error ?? actionError} />
      {list.data && list.data.length === 0 ? <p className="muted">No maintenance window.</p> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table data-table="maintenance-windows">
            <thead><tr><th scope="col">Name</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col">Nodes</th><th scope="col">Now</th>{canEdit ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{list.data.map((w) => {
              const state = Date.parse(w.ends_at) <= now ? 'over' : Date.parse(w.starts_at) <= now ? 'in force' : 'upcoming';
              return (
                <tr key={w.id} data-window={w.name}>
                  <th scope="row">{w.name}</th><td>{time(w.starts_at)}</td><td>{time(w.ends_at)}</td>
                  <td>{w.nodes.length === 0 ? 'every node' : `${w.nodes.length} node${w.nodes.length === 1 ? '' : 's'}`}</td><td>{state}</td>
                  {canEdit ? <td className="row-actions"><button type="button" className="danger" onClick={() => void remove(w.id, w.name)}>Delete</button></td> : null}
                </tr>
              );
            })}</tbody>
          </table>
        </div>
      ) : null}
      {canEdit ? (
        <>
          <h3>Add a maintenance window</h3>
          <SchemaForm key={round} name="window." schema={MaintenanceWindowBody} error={error} onSubmit={submit} submitLabel="Add window" />
        </>
      ) : null}
    </section>
  );
}
