// Workspace settings an admin changes (PATCH /api/dash/workspace): the API rate limit, the node quota,
// and what every agent receives in its config (IOC patterns, cooldowns, PCAP, blocklist, service
// ports), in a form drawn from WorkspaceSettingsPatch. Labels tests may rely on: "name",
// "rate limit per minute", "node quota", the "settings" group ("attack cooldown", "ioc patterns" with
// "Add ioc patterns", each pattern's "id", "name", "hex", "ascii"), and the "Save settings" button.
import { useState } from 'react';
import { WorkspaceSettingsPatch } from '@breakwater/contracts';
import { api } from '../api/client.ts';
import { Problem } from '../components/layout.tsx';
import { SchemaForm } from '../components/schema-form.tsx';
import { useApi } from '../use-api.ts';

export function WorkspaceSettingsSection() {
  const ws = useApi('/api/dash/workspace');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(0);
  // the reply is what is stored now: the form starts again from it
  const [fresh, setFresh] = useState<typeof ws.data>(undefined);
  const data = fresh ?? ws.data;
  const submit = async (v: Record<string, unknown>) => {
    setError(null);
    try {
      setFresh(await api.patch('/api/dash/workspace', v));
      setSaved((n) => n + 1);
    } catch (err) {
      setError(err);
      throw err;
    }
  };
  return (
    <section className="card" aria-labelledby="workspace-title">
      <h2 id="workspace-title">Workspace</h2>
      <p className="muted">Limits of this workspace, and the settings every agent receives with its config.</p>
      <Problem error={ws.error} />
      {saved > 0 ? <p className="ok" role="status" data-saved>Settings saved.</p> : null}
      {data ? (
        <SchemaForm key={`${data.id}:${saved}`} name="workspace." schema={WorkspaceSettingsPatch} value={data} error={error} onSubmit={submit} submitLabel="Save settings" />
      ) : null}
    </section>
  );
}
