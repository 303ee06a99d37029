// Mitigation: what is announced now (and withdrawing it), what was, the adapters that carry it
// and whether they answer. Operators act; viewers read — and the API refuses them anyway.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { AdapterInfo, AdapterTestResult, RuleBody, RuleInfo } from '../api/types.ts';
import { SelectField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { ago, time } from '../format.ts';
import { useLiveEvent } from '../live/hooks.ts';
import { Link } from '../router.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';

export function MitigationPage() {
  const canAct = useCan('operator');
  const active = useApi('/api/v1/mitigation/rules');
  const history = useApi(url('/api/v1/mitigation/rules/history', { query: { limit: 50 } }));
  const adapters = useApi('/api/v1/mitigation/adapters');
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const reloadRules = () => {
    active.reload();
    history.reload();
  };
  useLiveEvent((e) => {
    if (e.type.startsWith('mitigation.')) reloadRules();
  });
  const withdraw = async (r: RuleInfo) => {
    if (!window.confirm(`Withdraw the ${r.intent_type} rule for ${r.target_ip}? Traffic to it is no longer filtered.`)) return;
    setActionError(null);
    try {
      await api.del(url('/api/v1/mitigation/rules/:id', { params: { id: r.id } }));
    } catch (err) {
      setActionError(err as ApiError);
    }
    reloadRules();
  };
  if (active.error?.status === 404) {
    return <><PageHeader title="Mitigation" /><p className="muted">Mitigation is not available on this server.</p></>;
  }
  return (
    <>
      <PageHeader title="Mitigation" />
      <Problem error={actionError} />
      <section className="card" aria-labelledby="active-rules">
        <h2 id="active-rules">Active rules</h2>
        <Problem error={active.error} />
        {active.data && active.data.length === 0 ? <p className="muted">No rule is active.</p> : null}
        {active.data && active.data.length > 0 ? (
          <RuleTable rules={active.data} name="active-rules" action={canAct ? (r) => <button type="button" className="danger" onClick={() => void withdraw(r)} aria-label={`Withdraw ${r.intent_type} rule for ${r.target_ip}`}>Withdraw</button> : undefined} />
        ) : null}
      </section>
      {canAct && adapters.data ? <ManualRule adapters={adapters.data} onCreated={reloadRules} /> : null}
      <section className="card" aria-labelledby="adapters-title">
        <h2 id="adapters-title">Adapters</h2>
        <Problem error={adapters.error} />
        {adapters.data && adapters.data.length === 0 ? <p className="muted">No adapter configured (POST /api/v1/mitigation/adapters).</p> : null}
        <div className="table-wrap">
          <table data-table="adapters">
            <thead><tr><th scope="col">Adapter</th><th scope="col">Type</th><th scope="col">Capabilities</th><th scope="col">Health</th><th scope="col" className="num">Active rules</th>{canAct ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{adapters.data?.map((a) => <AdapterRow key={a.id} a={a} canAct={canAct} onTested={adapters.reload} />)}</tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <Problem error={history.error} />
        {history.data ? <RuleTable rules={history.data} name="rule-history" /> : null}
      </section>
    </>
  );
}

function RuleTable({ rules, name, action }: { rules: RuleInfo[]; name: string; action?: ((r: RuleInfo) => React.ReactNode) | undefined }) {
  return (
    <div className="table-wrap">
      <table data-table={name}>
        <thead><tr><th scope="col">Target</th><th scope="col">Action</th><th scope="col">Adapter</th><th scope="col">Status</th><th scope="col" className="hide-sm">Reason</th><th scope="col">Created</th><th scope="col" className="hide-sm">Expires / withdrawn</th>{action ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-rule={r.id} data-rule-status={r.status}>
              <th scope="row"><code>{r.target_ip}</code>{r.incident_id ? <div className="small"><Link to={`/incidents/${r.incident_id}`}>incident</Link></div> : null}</th>
              <td>{r.intent_type}{r.tier ? <div className="muted small">{r.tier}</div> : null}</td>
              <td>{r.adapter_name ?? '—'}</td>
              <td><span className={`badge tone-${r.status === 'active' ? 'attack' : r.status === 'failed' ? 'elevated' : 'neutral'}`}>{r.status}</span>{r.dry_run ? <span className="muted small"> dry run</span> : null}{r.error ? <div className="field-error small">{r.error}</div> : null}</td>
              <td className="hide-sm">{r.reason || '—'}<div className="muted small">{r.owner}</div></td>
              <td>{time(r.created_at)}</td>
              <td className="hide-sm">{r.withdrawn_at ? `withdrawn ${ago(r.withdrawn_at)}${r.withdrawn_by ? ` by ${r.withdrawn_by}` : ''}` : r.expires_at ? `expires ${time(r.expires_at)}` : 'no expiry'}</td>
              {action ? <td>{r.status === 'active' || r.status === 'dry_run' || r.status === 'pending' ? action(r) : null}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AdapterRow({ a, canAct, onTested }: { a: AdapterInfo; canAct: boolean; onTested: () => void }) {
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
    <tr data-adapter={a.id}>
      <th scope="row">{a.name}<div className="muted small"><code>{a.endpoint}</code></div></th>
      <td>{a.adapter_type}</td>
      <td>{a.capabilities.join(', ') || '—'}</td>
      <td>
        <span className={`badge tone-${tone}`} data-adapter-status={a.status}>{a.status}</span>
        <div className="muted small">{a.last_test_at ? `tested ${ago(a.last_test_at)}${a.last_latency_ms !== null ? `, ${a.last_latency_ms} ms` : ''}` : 'never tested'}</div>
        {a.last_error ? <div className="field-error small">{a.last_error}</div> : null}
        {result ? <div className="small" role="status">{result instanceof ApiError ? result.message : `${result.ok ? 'OK' : 'Failed'}: ${result.message} (${result.latency_ms} ms)`}</div> : null}
      </td>
      <td className="num">{a.active_rules}</td>
      {canAct ? <td><button type="button" onClick={() => void test()} disabled={busy}>{busy ? 'Testing…' : 'Test'}</button></td> : null}
    </tr>
  );
}

const RULE_FIELDS = ['target_ip', 'intent_type', 'adapter_id', 'ttl', 'reason'];

function ManualRule({ adapters, onCreated }: { adapters: AdapterInfo[]; onCreated: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (adapters.length === 0) return null;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const ttl = text(f, 'ttl').trim();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/mitigation/rules', {
        target_ip: text(f, 'target_ip').trim(), intent_type: text(f, 'intent_type') as RuleBody['intent_type'], adapter_id: text(f, 'adapter_id'),
        ...(ttl ? { ttl: Number(ttl) } : {}), ...(text(f, 'reason') ? { reason: text(f, 'reason') } : {}),
      });
      form.reset();
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="manual-title">
      <h2 id="manual-title">Announce a rule by hand</h2>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate>
        {formError(error, RULE_FIELDS, 'target_ip') ? <p className="problem" role="alert">{formError(error, RULE_FIELDS, 'target_ip')}</p> : null}
        <TextField label="Target IP or prefix" name="target_ip" required placeholder="203.0.113.10/32" error={errorFor(error, 'target_ip', 'target_ip')} />
        <SelectField label="Action" name="intent_type" options={['blackhole', 'flowspec', 'scrubbing']} error={errorFor(error, 'intent_type')} />
        <SelectField label="Adapter" name="adapter_id" options={adapters.map((a) => [a.id, `${a.name} (${a.adapter_type})`])} error={errorFor(error, 'adapter_id')} />
        <TextField label="TTL (seconds)" name="ttl" inputMode="numeric" placeholder="3600" error={errorFor(error, 'ttl')} hint="0 or empty: until withdrawn (capped by the policy)" />
        <TextField label="Reason" name="reason" error={errorFor(error, 'reason')} />
        <div className="form-actions"><button type="submit" className="primary" disabled={busy}>Announce</button></div>
      </form>
    </section>
  );
}
