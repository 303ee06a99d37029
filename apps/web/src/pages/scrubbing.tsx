// Cloud scrubbing: each integration with its live status at the provider (diverting or not, since
// when, connection health), its test, the operator's enable/withdraw, its history; admins add and
// edit integrations. Credentials come back masked; sending the mask back keeps them.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { DiversionInfo, IntegrationInfo, IntegrationTestResult } from '../api/types.ts';
import { SelectField, TextAreaField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { ago, time } from '../format.ts';
import { useLiveEvent } from '../live/hooks.ts';
import { Link } from '../router.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';

const TYPES = ['cloudflare_magic_transit', 'ovh_mitigation', 'hetzner_mitigation', 'cloudflare_waf', 'digitalocean', 'vultr', 'aws_shield', 'linode'] as const;
/** How often the page asks the server for the providers' live status (changes Breakwater makes arrive at once on the live stream). */
const LIVE_MS = 5000;

const tone = (state: string) => (state === 'diverting' ? 'attack' : state === 'propagating' || state === 'requested' || state === 'withdrawing' ? 'elevated' : state === 'failed' || state === 'refused' ? 'elevated' : 'neutral');
const healthTone = (h: string) => (h === 'ok' ? 'online' : h === 'unknown' ? 'neutral' : 'attack');

export function ScrubbingPage() {
  const canAct = useCan('operator');
  const isAdmin = useCan('admin');
  const list = useApi('/api/v1/scrubbing');
  const [editing, setEditing] = useState<IntegrationInfo | 'new' | null>(null);
  useEffect(() => {
    const timer = setInterval(list.reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [list.reload]);
  useLiveEvent((e) => {
    if (e.type === 'scrubbing.changed') list.reload();
  });
  if (list.error?.status === 404) return <><PageHeader title="Scrubbing" /><p className="muted">Cloud scrubbing is not available on this server.</p></>;
  return (
    <>
      <PageHeader title="Scrubbing" />
      <Problem error={list.error} />
      {list.data && list.data.length === 0 ? <p className="muted">No scrubbing integration yet{isAdmin ? '' : ' (an admin adds them)'}.</p> : null}
      {list.data?.map((i) => <Integration key={i.id} i={i} canAct={canAct} isAdmin={isAdmin} onChanged={list.reload} onEdit={() => setEditing(i)} />)}
      {isAdmin && editing === null ? <p><button type="button" onClick={() => setEditing('new')}>Add an integration</button></p> : null}
      {isAdmin && editing !== null ? <IntegrationForm key={editing === 'new' ? 'new' : editing.id} current={editing === 'new' ? null : editing} onDone={() => { setEditing(null); list.reload(); }} /> : null}
    </>
  );
}

function Integration({ i, canAct, isAdmin, onChanged, onEdit }: { i: IntegrationInfo; canAct: boolean; isAdmin: boolean; onChanged: () => void; onEdit: () => void }) {
  const status = useApi(url('/api/v1/scrubbing/:id/status', { params: { id: i.id } }));
  const history = useApi(url('/api/v1/scrubbing/:id/history', { params: { id: i.id }, query: { limit: 20 } }));
  const [result, setResult] = useState<IntegrationTestResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => {
    status.reload();
    history.reload();
  }, [i.updated_at, i.state, i.active_diversions.length, status.reload, history.reload]);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', String(err)));
    } finally {
      setBusy(null);
      onChanged();
      status.reload();
      history.reload();
    }
  };
  const test = () => act('test', async () => setResult(await api.post(url('/api/v1/scrubbing/:id/test', { params: { id: i.id } }))));
  const announce = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const target = text(f, 'target').trim();
    const reason = text(f, 'reason').trim();
    await act('announce', () => api.post(url('/api/v1/scrubbing/:id/announce', { params: { id: i.id } }), { ...(target ? { target } : {}), ...(reason ? { reason } : {}) }));
  };
  const withdraw = (d: DiversionInfo) => {
    if (!window.confirm(`Withdraw the diversion of ${d.target}? Traffic returns to its direct path.`)) return;
    void act('withdraw', () => api.post(url('/api/v1/scrubbing/:id/withdraw', { params: { id: i.id } }), { target: d.target }));
  };
  const live = status.data;
  return (
    <section className="card" aria-labelledby={`scrub-${i.id}`} data-integration={i.id}>
      <h2 id={`scrub-${i.id}`}>{i.name} <span className="muted small">{i.integration_type}</span></h2>
      <p>
        <span className={`badge tone-${tone(live?.state ?? i.state)}`} data-scrub-state={live?.state ?? i.state}>{live?.diverting ? 'diverting' : live?.state ?? i.state}</span>
        {' '}<span className={`badge tone-${healthTone(live?.health ?? i.health)}`} data-scrub-health={live?.health ?? i.health}>{live?.health ?? i.health}</span>
        {live?.since ? <span className="muted small"> since {time(live.since)}</span> : null}
        {!i.enabled ? <span className="muted small"> (disabled)</span> : null}
      </p>
      {i.capabilities ? <p className="small">{i.capabilities.diverts ? 'Diverts traffic' : 'No diversion switch at this provider; nearest action'}: {i.capabilities.action}. {i.capabilities.advertise_seconds > 0 ? `Takes up to ${Math.round(i.capabilities.advertise_seconds / 60)} min to take effect and ${Math.round(i.capabilities.withdraw_seconds / 60)} min to withdraw.` : 'Takes effect at once.'}</p> : null}
      <p className="muted small">Protects: {i.targets.map((t) => <code key={t}>{t} </code>)}</p>
      <p className="muted small">{i.last_test_at ? `Tested ${ago(i.last_test_at)}${i.last_latency_ms !== null ? `, ${i.last_latency_ms} ms` : ''}` : 'Never tested'}{i.last_error ? <span className="field-error"> — {i.last_error}</span> : null}</p>
      {result ? <p className="small" role="status" data-test-result={result.ok ? 'ok' : 'failed'}>{result.ok ? 'OK' : 'Failed'}: {result.message} ({result.latency_ms} ms, {result.health})</p> : null}
      {formError(error, ['target', 'reason']) ? <p className="problem" role="alert">{formError(error, ['target', 'reason'])}</p> : null}
      <Problem error={status.error} />
      {live?.errors.length ? <ul className="field-error small">{live.errors.map((e) => <li key={e.target}>{e.target}: {e.message}</li>)}</ul> : null}
      {canAct || isAdmin ? (
        <div className="form-actions">
          {canAct ? <button type="button" onClick={() => void test()} disabled={busy !== null}>{busy === 'test' ? 'Testing…' : 'Test'}</button> : null}
          {isAdmin ? <button type="button" onClick={onEdit}>Edit</button> : null}
        </div>
      ) : null}

      <h3>Diversions now</h3>
      {i.active_diversions.length === 0 ? <p className="muted">Nothing is diverted.</p> : <DiversionTable rows={i.active_diversions} name={`active-${i.id}`} onWithdraw={canAct ? withdraw : undefined} />}
      {canAct ? (
        <form onSubmit={(e) => void announce(e)} className="form-grid" noValidate aria-label={`Enable scrubbing through ${i.name}`}>
          <TextField label="Address or prefix to divert" name="target" placeholder={i.targets[0] ?? '203.0.113.10'} error={errorFor(error, 'target')} hint={i.targets.length === 1 ? 'empty: its only target' : undefined} />
          <TextField label="Reason" name="reason" error={errorFor(error, 'reason')} />
          <div className="form-actions"><button type="submit" className="danger" disabled={busy !== null}>{busy === 'announce' ? 'Enabling…' : 'Enable scrubbing'}</button></div>
        </form>
      ) : null}

      <h3>History</h3>
      <Problem error={history.error} />
      {history.data && history.data.events.length > 0 ? (
        <ol className="small" data-history={i.id}>
          {history.data.events.map((e) => <li key={e.id} data-event={e.event}>{time(e.at)} — {e.message} <span className="muted">({e.actor})</span></li>)}
        </ol>
      ) : <p className="muted">No history yet.</p>}
    </section>
  );
}

function DiversionTable({ rows, name, onWithdraw }: { rows: DiversionInfo[]; name: string; onWithdraw?: ((d: DiversionInfo) => void) | undefined }) {
  return (
    <div className="table-wrap">
      <table data-table={name}>
        <thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col" className="hide-sm">Owner and reason</th><th scope="col">Requested</th><th scope="col" className="hide-sm">Ends</th>{onWithdraw ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-diversion={d.id} data-diversion-state={d.state}>
              <th scope="row"><code>{d.target}</code>{d.incident_id ? <div className="small"><Link to={`/incidents/${d.incident_id}`}>incident</Link></div> : null}</th>
              <td><span className={`badge tone-${tone(d.state)}`}>{d.state}</span>{d.dry_run ? <span className="muted small"> dry run</span> : null}{d.detail ? <div className="muted small">{d.detail}</div> : null}{d.error ? <div className="field-error small">{d.error}</div> : null}</td>
              <td className="hide-sm">{d.reason}<div className="muted small">{d.owner}{d.tier ? ` · ${d.tier}` : ''}</div></td>
              <td>{time(d.requested_at)}</td>
              <td className="hide-sm">{d.withdraw_after ? `withdraws ${time(d.withdraw_after)}` : d.expires_at ? `expires ${time(d.expires_at)}` : 'until withdrawn'}</td>
              {onWithdraw ? <td>{d.state !== 'withdrawing' ? <button type="button" className="danger" onClick={() => onWithdraw(d)} aria-label={`Withdraw diversion of ${d.target}`}>Withdraw</button> : null}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FORM_FIELDS = ['integration_type', 'name', 'config', 'enabled'];

function IntegrationForm({ current, onDone }: { current: IntegrationInfo | null; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    let config: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text(f, 'config') || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed as Record<string, unknown>;
    } catch {
      setError(new ApiError(400, 'validation_error', 'config: must be a JSON object of the type\'s settings'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const enabled = f.get('enabled') === 'on';
      if (current) await api.patch(url('/api/v1/scrubbing/:id', { params: { id: current.id } }), { name: text(f, 'name').trim(), config, enabled });
      else await api.post('/api/v1/scrubbing', { integration_type: text(f, 'integration_type') as (typeof TYPES)[number], name: text(f, 'name').trim(), config, enabled });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="scrub-form-title">
      <h2 id="scrub-form-title">{current ? `Edit ${current.name}` : 'Add a scrubbing integration'}</h2>
      <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate>
        {formError(error, FORM_FIELDS, 'config') ? <p className="problem" role="alert">{formError(error, FORM_FIELDS, 'config')}</p> : null}
        {current ? null : <SelectField label="Type" name="integration_type" options={[...TYPES]} error={errorFor(error, 'integration_type')} />}
        <TextField label="Name" name="name" required defaultValue={current?.name ?? ''} error={errorFor(error, 'name')} />
        <TextAreaField label="Settings (JSON)" name="config" rows={8} defaultValue={current ? JSON.stringify(current.config, null, 2) : '{\n  \n}'} error={errorFor(error, 'config')} hint="Credentials show masked: leave the mask to keep them." />
        <label className="field"><span><input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? true} /> Enabled</span></label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>{current ? 'Save' : 'Add'}</button>
          <button type="button" onClick={onDone}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
