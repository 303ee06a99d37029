// Adapters: the list with health, a test that shows the latency and the error it returned, and
// (admins, as the API) add, edit and delete. The form is drawn from AdapterBody and from the chosen
// type's config schema as the server describes it (GET /api/v1/mitigation/adapter-types), in the
// shared SchemaForm (the stored auth_token shown masked and kept when left as it is).
import { useState } from 'react';
import { AdapterBody, type AdapterTypeInfo } from '@breakwater/contracts';
import { ApiError, api } from '../../api/client.ts';
import { url } from '../../api/routes.ts';
import type { AdapterInfo, AdapterTestResult } from '../../api/types.ts';
import { SelectField } from '../../components/field.tsx';
import { Problem } from '../../components/layout.tsx';
import { SchemaForm } from '../../components/schema-form.tsx';
import { ago } from '../../format.ts';
import { useCan } from '../../session.tsx';
import { useApi } from '../../use-api.ts';
import { useFocusFirst } from './use-focus-first.ts';
import { formSchema } from './form-schema.ts';

export function AdaptersSection({ adapters, error, reload }: { adapters: AdapterInfo[] | undefined; error: ApiError | null; reload: () => void }) {
  const canTest = useCan('operator');
  const isAdmin = useCan('admin');
  const types = useApi(isAdmin ? '/api/v1/mitigation/adapter-types' : null);
  const [editing, setEditing] = useState<AdapterInfo | 'new' | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = async (a: AdapterInfo) => {
    if (!window.confirm(`Delete adapter ${a.name}? Its ${a.active_rules} active rule(s) are withdrawn first.`)) return;
    setActionError(null);
    try {
      const r = await api.del(url('/api/v1/mitigation/adapters/:id', { params: { id: a.id } }));
      setNotice(`Deleted ${a.name}; ${r.withdrawn_rules} rule(s) withdrawn.`);
    } catch (err) {
      setActionError(err as ApiError);
    }
    reload();
  };
  return (
    <section className="card" aria-labelledby="adapters-title">
      <div className="page-header"><h2 id="adapters-title">Adapters</h2>
        {isAdmin && editing === null ? <div className="actions"><button type="button" className="primary" onClick={() => { setNotice(null); setEditing('new'); }}>Add adapter</button></div> : null}
      </div>
      <Problem error={error ?? actionError ?? types.error} />
      {notice ? <p className="notice" role="status">{notice}</p> : null}
      {editing !== null && types.data ? (
        <AdapterForm key={editing === 'new' ? 'new' : editing.id} types={types.data} current={editing === 'new' ? null : editing}
          onDone={(saved) => { setEditing(null); if (saved) setNotice(`Saved ${saved.name}: ${saved.status}${saved.last_error ? ` (${saved.last_error})` : ''}.`); reload(); }} />
      ) : null}
      {adapters && adapters.length === 0 ? <p className="muted">No adapter yet{isAdmin ? '' : ': an admin adds one here'}.</p> : null}
      {adapters && adapters.length > 0 ? (
        <div className="table-wrap">
          <table data-table="adapters">
            <thead><tr><th scope="col">Adapter</th><th scope="col">Type</th><th scope="col">Capabilities</th><th scope="col">Health</th><th scope="col" className="num">Active rules</th>{canTest ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{adapters.map((a) => <AdapterRow key={a.id} a={a} canTest={canTest} isAdmin={isAdmin} onTested={reload} onEdit={() => { setNotice(null); setEditing(a); }} onDelete={() => void remove(a)} />)}</tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function AdapterRow({ a, canTest, isAdmin, onTested, onEdit, onDelete }: { a: AdapterInfo; canTest: boolean; isAdmin: boolean; onTested: () => void; onEdit: () => void; onDelete: () => void }) {
  const [result, setResult] = useState<AdapterTestResult | ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const test = async () => {
    setBusy(true);
    try {
      setResult(await api.post(url('/api/v1/mitigation/adapters/:id/test', { params: { id: a.id } })));
    } catch (err) {
      setResult(err as ApiError);
    } finally {
      setBusy(false);
      onTested();
    }
  };
  const tone = a.status === 'up' ? 'online' : a.status === 'down' ? 'attack' : 'neutral';
  return (
    <tr data-adapter={a.id} data-adapter-name={a.name}>
      <th scope="row">{a.name}<div className="muted small"><code>{a.endpoint}</code></div></th>
      <td>{a.adapter_type}</td>
      <td>{a.capabilities.join(', ') || '—'}</td>
      <td>
        <span className={`badge tone-${tone}`} data-adapter-status={a.status}>{a.status}</span>
        <div className="muted small">{a.last_test_at ? `tested ${ago(a.last_test_at)}${a.last_latency_ms !== null ? `, ${a.last_latency_ms} ms` : ''}` : 'never tested'}</div>
        {a.last_error ? <div className="field-error small">{a.last_error}</div> : null}
        {result ? (
          <div className="small" role="status" data-test-result={result instanceof ApiError ? 'error' : result.ok ? 'ok' : 'failed'} data-latency-ms={result instanceof ApiError ? undefined : result.latency_ms}>
            {result instanceof ApiError ? result.message : `${result.ok ? 'OK' : 'Failed'}: ${result.message} (${result.latency_ms} ms)`}
          </div>
        ) : null}
      </td>
      <td className="num">{a.active_rules}</td>
      {canTest ? (
        <td><div className="row-actions">
          <button type="button" onClick={() => void test()} disabled={busy} aria-label={`Test ${a.name}`}>{busy ? 'Testing…' : 'Test'}</button>
          {isAdmin ? <button type="button" onClick={onEdit} aria-label={`Edit ${a.name}`}>Edit</button> : null}
          {isAdmin ? <button type="button" className="danger" onClick={onDelete} aria-label={`Delete ${a.name}`}>Delete</button> : null}
        </div></td>
      ) : null}
    </tr>
  );
}

const TOP_KEYS = ['name', 'endpoint', 'auth_token', 'capabilities', 'max_active_rules'];

/** AdapterBody's own keys as the form asks them, described for the chosen type. */
function topSchema(t: AdapterTypeInfo) {
  return formSchema(AdapterBody, {
    keys: TOP_KEYS.filter((k) => k !== 'auth_token' || t.auth_token !== 'unused'),
    patch: {
      endpoint: { description: `${t.endpoint}, e.g. ${t.endpoint_example}` },
      // A secret: typed into a password box, never shown back.
      auth_token: { type: 'string', anyOf: undefined, echo: false, description: `${t.auth_token === 'required' ? 'required: ' : ''}${t.auth_token_description}` },
      capabilities: { description: `what it may carry: ${t.capabilities.join(', ')} (empty: all of them)` },
    },
  });
}

function AdapterForm({ types, current, onDone }: { types: AdapterTypeInfo[]; current: AdapterInfo | null; onDone: (saved: AdapterInfo | null) => void }) {
  const focusRef = useFocusFirst<HTMLDivElement>();
  const [type, setType] = useState<string>(current?.adapter_type ?? types.find((t) => t.adapter_type === 'gobgp')?.adapter_type ?? types[0]!.adapter_type);
  const [error, setError] = useState<unknown>(null);
  const info = types.find((t) => t.adapter_type === type) ?? types[0]!;
  const top = topSchema(info);
  // One object as the API takes it: AdapterBody's keys, and config drawn from the type's own schema.
  const schema = { type: 'object', required: top.required, properties: { ...top.properties, config: { ...formSchema(info.config), type: 'object', description: `${info.adapter_type} options` } } };
  const submit = async (value: Record<string, unknown>) => {
    const body = { ...value, adapter_type: info.adapter_type, config: value.config ?? {} } as AdapterBody;
    setError(null);
    try {
      onDone(current ? await api.put(url('/api/v1/mitigation/adapters/:id', { params: { id: current.id } }), body) : await api.post('/api/v1/mitigation/adapters', body));
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  // A named region (role form) around the shared form, so tests and assistive tech can find it by name.
  return (
    <div ref={focusRef} role="form" aria-label={current ? `Edit adapter ${current.name}` : 'Add adapter'} data-form="adapter">
      <SchemaForm key={type} schema={schema} value={current && current.adapter_type === type ? (current) : undefined} secrets={['auth_token']}
        error={error} onSubmit={submit} submitLabel={current ? 'Save adapter' : 'Add adapter'} footer={<button type="button" onClick={() => onDone(null)}>Cancel</button>}>
        <SelectField label="adapter type" name="adapter_type" error={null} value={type} onChange={(e) => { setError(null); setType(e.target.value); }}
          hint={`carries ${info.capabilities.join(', ')}`} options={types.map((t) => [t.adapter_type, t.adapter_type])} />
      </SchemaForm>
    </div>
  );
}
