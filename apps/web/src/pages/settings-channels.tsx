import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { ChannelCreateBody } from '../api/types.ts';
import { SelectField, TextAreaField, TextField, errorFor, formError, text } from '../components/field.tsx';
import { Problem } from '../components/layout.tsx';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';

const TYPES = ['slack', 'discord', 'teams', 'webhook', 'email', 'pagerduty', 'opsgenie', 'telegram', 'sms', 'grafana', 'datadog', 'prometheus'];
// A starting point per type; the API validates and names the field that is wrong.
const TEMPLATE: Record<string, unknown> = {
  slack: { webhook_url: 'https://hooks.slack.com/services/…' }, discord: { webhook_url: 'https://discord.com/api/webhooks/…' }, teams: { webhook_url: 'https://…' },
  webhook: { url: 'https://example.net/hook' }, email: { to: ['noc@example.net'] }, pagerduty: { routing_key: '' }, opsgenie: { api_key: '' },
  telegram: { bot_token: '', chat_id: '' }, sms: { api_url: 'https://…', api_key: '', to: ['+15550100'] }, grafana: { url: 'https://grafana.example.net', api_key: '' },
  datadog: { api_key: '' }, prometheus: { alertmanager_url: 'http://alertmanager:9093' },
};
const FIELDS = ['name', 'type', 'config', 'min_severity'];

export function ChannelsSettings() {
  const canEdit = useCan('operator');
  const list = useApi('/api/v1/channels');
  const [type, setType] = useState('slack');
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    let config: unknown;
    try {
      config = JSON.parse(text(f, 'config'));
    } catch {
      setError(new ApiError(400, 'validation_error', 'config: is not valid JSON'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The server validates what the form holds (a config that is not an object is a 400 naming it).
      const body = { name: text(f, 'name'), type, config, min_severity: text(f, 'min_severity') } as ChannelCreateBody;
      await api.post('/api/v1/channels', body);
      form.reset();
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await fn();
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  return (
    <>
      <section className="card" aria-labelledby="channels-title">
        <h2 id="channels-title">Notification channels</h2>
        <Problem error={list.error ?? actionError} />
        {list.data && list.data.length === 0 ? <p className="muted">No channel: nobody is told about attacks yet.</p> : null}
        <div className="table-wrap">
          <table data-table="channels">
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Min severity</th><th scope="col">Enabled</th><th scope="col" className="hide-sm">Config</th>{canEdit ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
            <tbody>{list.data?.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.name}</th><td>{c.type}</td><td>{c.min_severity}</td><td>{c.enabled ? 'yes' : 'no'}</td>
                <td className="hide-sm"><code className="small">{JSON.stringify(c.config)}</code></td>
                {canEdit ? (
                  <td className="row-actions">
                    <button type="button" onClick={() => void act(() => api.post(url('/api/v1/channels/:id/test', { params: { id: c.id } })))}>Send test</button>
                    <button type="button" onClick={() => void act(() => api.patch(url('/api/v1/channels/:id', { params: { id: c.id } }), { enabled: !c.enabled }))}>{c.enabled ? 'Disable' : 'Enable'}</button>
                    <button type="button" className="danger" onClick={() => window.confirm(`Delete channel ${c.name}?`) && void act(() => api.del(url('/api/v1/channels/:id', { params: { id: c.id } })))}>Delete</button>
                  </td>
                ) : null}
              </tr>
            ))}</tbody>
          </table>
        </div>
      </section>
      {canEdit ? (
        <section className="card" aria-labelledby="new-channel">
          <h2 id="new-channel">Add a channel</h2>
          <form onSubmit={(e) => void submit(e)} className="form-grid" noValidate>
            {formError(error, FIELDS) ? <p className="problem" role="alert">{formError(error, FIELDS)}</p> : null}
            <TextField label="Name" name="name" required error={errorFor(error, 'name')} />
            <SelectField label="Type" name="type" value={type} onChange={(e) => setType(e.target.value)} options={TYPES} error={errorFor(error, 'type')} />
            <SelectField label="Minimum severity" name="min_severity" options={['low', 'medium', 'high', 'critical']} error={errorFor(error, 'min_severity')} />
            <TextAreaField key={type} label="Config (JSON)" name="config" rows={4} defaultValue={JSON.stringify(TEMPLATE[type] ?? {}, null, 2)} error={errorFor(error, 'config')} className="mono" />
            <div className="form-actions"><button type="submit" className="primary" disabled={busy}>Add channel</button></div>
          </form>
        </section>
      ) : null}
    </>
  );
}
