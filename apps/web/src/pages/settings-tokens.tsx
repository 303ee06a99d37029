import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { DeployTokenScope, Role, TokenCreateBody, TokenInfo } from '../api/types.ts';
import { RadioField, SelectField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { Problem } from '../components/layout.tsx';
import { ago, time } from '../format.ts';
import { useApi } from '../use-api.ts';

const FIELDS = ['name', 'kind', 'role', 'scope'];
// What a deploy token may do (packages/contracts/src/deploy.ts); the server defaults to register.
const SCOPES: { value: DeployTokenScope; label: string; hint: string }[] = [
  { value: 'register', label: 'Register nodes only', hint: 'Can enrol new nodes (POST /api/deploy) and nothing else.' },
  { value: 'operator', label: 'Operator (REST API)', hint: 'Also an operator on REST v1. Risky: this token is copied onto every machine being enrolled.' },
];
const SCOPE_NAMES: Record<DeployTokenScope, string> = { register: 'register nodes', operator: 'operator' };

function Scope({ scope }: { scope: DeployTokenScope | null }) {
  if (scope === null) return <span className="muted" aria-label="none">—</span>;
  return <span className={scope === 'operator' ? 'badge tone-elevated' : undefined}>{SCOPE_NAMES[scope]}</span>;
}

export function TokensSettings() {
  const list = useApi('/api/dash/tokens');
  const [kind, setKind] = useState('api');
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      const name = text(f, 'name');
      const t = await api.post('/api/dash/tokens', { name, kind: kind as TokenCreateBody['kind'], ...(kind === 'api' ? { role: text(f, 'role') as Role } : { scope: text(f, 'scope') as DeployTokenScope }) });
      setSecret({ name, token: t.token });
      form.reset();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (t: TokenInfo) => {
    if (!window.confirm(`Revoke ${t.name}? Anything using it stops working at once.`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/dash/tokens/:id', { params: { id: t.id } }));
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  return (
    <>
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API and deploy tokens</h2>
        <Problem error={list.error ?? actionError} />
        {secret ? (
          <div className="notice" role="status">
            <p>Token <strong>{secret.name}</strong> — copy it now, it is not shown again:</p>
            <p><code className="secret" data-secret>{secret.token}</code></p>
            <button type="button" onClick={() => setSecret(null)}>Done</button>
          </div>
        ) : null}
        <div className="table-wrap">
          <table data-table="tokens">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">Prefix</th><th scope="col" className="hide-sm">Created</th><th scope="col" className="hide-sm">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.data?.map((t) => (
              <tr key={t.id} data-token={t.name} className={t.revoked_at ? 'revoked' : undefined}>
                <th scope="row">{t.name}</th><td>{t.kind}</td><td>{t.role}</td><td data-scope={t.scope ?? ''}><Scope scope={t.scope} /></td><td><code>{t.prefix}…</code></td>
                <td className="hide-sm">{time(t.created_at)}</td><td className="hide-sm">{ago(t.last_used_at)}</td>
                <td>{t.revoked_at ? <span className="muted">revoked</span> : <button type="button" className="danger" onClick={() => void revoke(t)}>Revoke</button>}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="new-token">
        <h2 id="new-token">Create a token</h2>
        <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate>
          {formError(error, FIELDS) ? <p className="problem" role="alert">{formError(error, FIELDS)}</p> : null}
          <TextField label="Name" name="name" required error={errorFor(error, 'name')} />
          <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)} options={[['api', 'API (REST v1)'], ['deploy', 'Deploy (registers nodes)']]} error={errorFor(error, 'kind')} />
          {kind === 'api' ? <SelectField label="Role" name="role" options={['viewer', 'operator', 'admin']} error={errorFor(error, 'role')} /> : null}
          {kind === 'deploy' ? <RadioField label="Scope" name="scope" options={SCOPES} defaultValue="register" error={errorFor(error, 'scope')} /> : null}
          <div className="form-actions"><button type="submit" className="primary">Create token</button></div>
        </form>
      </section>
    </>
  );
}
