// Notification channels: a form per type drawn from that type's config schema (contracts), the test
// button with the delivery's outcome, each channel's delivery history; maintenance windows below.
//
// What browser tests may rely on (stable): the "Add a channel" section (region "Add a channel") with
// a "Type" select, "Name", "min severity" and one field per config key labelled by the key with
// spaces ("webhook url", "url", "api key"…), and the "Add channel" button; per channel row
// (`tr[data-channel="<name>"]`) the buttons "Send test", "Edit", "History", "Disable"/"Enable",
// "Delete"; the test outcome in `[data-test-outcome]`; the "Maintenance windows" section with
// "name", "starts at", "ends at", "nodes" and the "Add window" button.
import { useEffect, useState } from 'react';
import { CHANNEL_CONFIG_SCHEMAS, CHANNEL_SECRET_KEYS, CHANNEL_TYPES, ChannelCreateBody, type ChannelType } from '@breakwater/contracts';
import { api, type ApiError } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { Channel } from '../api/types.ts';
import { SelectField } from '../components/field.tsx';
import { Problem } from '../components/layout.tsx';
import { SchemaForm } from '../components/schema-form.tsx';
import { time } from '../format.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';
import { MaintenanceWindows } from './settings-maintenance.tsx';
import { DeliveryHistory, TestOutcome } from './settings-deliveries.tsx';

/** The body's name and min_severity, and the chosen type's own config schema as `config`: the API's `config.key` names land on their fields. */
const formSchema = (type: ChannelType) => ({
  type: 'object',
  properties: { name: ChannelCreateBody.properties.name, min_severity: ChannelCreateBody.properties.min_severity, config: CHANNEL_CONFIG_SCHEMAS[type] },
  required: ['name', 'config'],
});
const secretsOf = (type: ChannelType) => (CHANNEL_SECRET_KEYS[type] ?? []).map((k) => `config.${k}`);
const isType = (t: string): t is ChannelType => (CHANNEL_TYPES as readonly string[]).includes(t);

export function ChannelsSettings() {
  const canEdit = useCan('operator');
  const list = useApi('/api/v1/channels');
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<Channel | null>(null);
  const [history, setHistory] = useState<string | null>(null);
  const [tested, setTested] = useState<{ channel: string; since: number } | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await fn();
    } catch (err) {
      setActionError(err as ApiError);
    }
    list.reload();
  };
  const test = (c: Channel) => act(async () => {
    const since = Date.now() - 1000;
    await api.post(url('/api/v1/channels/:id/test', { params: { id: c.id } }));
    setTested({ channel: c.id, since });
  });

  return (
    <>
      <section className="card" aria-labelledby="channels-title">
        <h2 id="channels-title">Notification channels</h2>
        <Problem error={list.error ?? actionError} />
        {list.data && list.data.length === 0 ? <p className="muted">No channel: nobody is told about attacks yet.</p> : null}
        <div className="table-wrap">
          <table data-table="channels">
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col" className="hide-sm">Min severity</th><th scope="col" className="hide-sm">Enabled</th><th scope="col" className="hide-sm">Updated</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.data?.map((c) => (
              <tr key={c.id} data-channel={c.name}>
                <th scope="row">{c.name}</th><td>{c.type}</td><td className="hide-sm">{c.min_severity}</td><td className="hide-sm">{c.enabled ? 'yes' : 'no'}</td>
                <td className="hide-sm">{time(c.updated_at)}</td>
                <td className="row-actions">
                  <button type="button" aria-expanded={history === c.id} onClick={() => setHistory(history === c.id ? null : c.id)}>History</button>
                  {canEdit ? (
                    <>
                      <button type="button" onClick={() => void test(c)}>Send test</button>
                      <button type="button" onClick={() => setEditing(c)}>Edit</button>
                      <button type="button" onClick={() => void act(() => api.patch(url('/api/v1/channels/:id', { params: { id: c.id } }), { enabled: !c.enabled }))}>{c.enabled ? 'Disable' : 'Enable'}</button>
                      <button type="button" className="danger" onClick={() => window.confirm(`Delete channel ${c.name}?`) && void act(() => api.del(url('/api/v1/channels/:id', { params: { id: c.id } })))}>Delete</button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}</tbody>
          </table>
        </div>
        {tested ? <TestOutcome key={`${tested.channel}:${tested.since}`} channel={tested.channel} since={tested.since} name={list.data?.find((c) => c.id === tested.channel)?.name ?? ''} /> : null}
        {history ? <DeliveryHistory key={history} channel={history} name={list.data?.find((c) => c.id === history)?.name ?? ''} /> : null}
      </section>
      {canEdit && editing ? <ChannelForm key={editing.id} channel={editing} onDone={() => { setEditing(null); list.reload(); }} /> : null}
      {canEdit && !editing ? <ChannelForm key="new" onDone={list.reload} /> : null}
      <MaintenanceWindows />
    </>
  );
}

/** Add a channel (no `channel`) or edit one: the config's masked secrets go back untouched, which keeps them. */
function ChannelForm({ channel, onDone }: { channel?: Channel; onDone: () => void }) {
  const [type, setType] = useState<ChannelType>(channel && isType(channel.type) ? channel.type : 'slack');
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);
  useEffect(() => setError(null), [type]);
  const title = channel ? `Edit channel ${channel.name}` : 'Add a channel';
  const submit = async (v: Record<string, unknown>) => {
    setError(null);
    try {
      const body = { name: typeof v.name === 'string' ? v.name : '', config: (v.config ?? {}) as Record<string, unknown>, ...(v.min_severity ? { min_severity: v.min_severity as 'low' } : {}) };
      if (channel) await api.patch(url('/api/v1/channels/:id', { params: { id: channel.id } }), body);
      else await api.post('/api/v1/channels', { ...body, type });
      setRound((r) => r + 1);
      onDone();
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <SchemaForm key={`${type}:${round}`} name="channel." schema={formSchema(type)} value={channel} secrets={secretsOf(type)}
        error={error} onSubmit={submit} submitLabel={channel ? 'Save channel' : 'Add channel'}
        footer={channel ? <button type="button" onClick={onDone}>Cancel</button> : null}>
        <SelectField label="Type" name="type" value={type} disabled={!!channel} options={[...CHANNEL_TYPES]} error={null} hint="Each type asks for its own settings" onChange={(e) => isType(e.target.value) && setType(e.target.value)} />
      </SchemaForm>
    </section>
  );
}
