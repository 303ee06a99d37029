// The command console on a node's page: a type picker and a params form, both built from the
// server's command registry (each type's JSON Schema, risk tier and timeout; types the user's
// role may not send are shown but disabled), and the agent's last 100 commands with status,
// exit code and output, read again every 2 s while any is pending.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { fleetCommandsApi, type CommandInfo, type CommandTypeInfo } from '../api/fleet-commands.ts';
import { SelectField, errorFor, formError } from '../components/field.tsx';
import { SchemaFields, valuesOf, type ObjectSchema } from '../components/schema-form.tsx';
import { Problem } from '../components/layout.tsx';
import { label, time } from '../format.ts';

const RISK_WORDS: Record<string, string> = { low: 'low risk', medium: 'medium risk', high: 'high risk (admin)' };

function SendForm({ agent, types, onSent }: { agent: string; types: CommandTypeInfo[]; onSent: () => void }) {
  const first = types.find((t) => t.allowed)?.type ?? types[0]?.type ?? '';
  const [type, setType] = useState(first);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const spec = types.find((t) => t.type === type);
  const schema = (spec?.params ?? {}) as ObjectSchema;
  const props = Object.entries(schema.properties ?? {});
  // The API names a param as "params.KEY"; the client's ApiError.field drops the "params." prefix.
  const fields = ['type', ...props.map(([k]) => k)];
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      const r = await fleetCommandsApi.send(agent, { type, params: valuesOf(schema, values).value });
      setSent(`${r.command_id} ${r.status}`);
      setValues({});
      onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const top = formError(error, fields);
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Send a command" className="command-form">
      <SelectField
        label="Type" name="type" value={type} error={errorFor(error, 'type')}
        onChange={(e) => { setType(e.target.value); setValues({}); setError(null); }}
        options={types.map((t) => [t.type, `${label(t.type)} — ${RISK_WORDS[t.risk] ?? t.risk}${t.allowed ? '' : ' (not for your role)'}`] as [string, string])}
        hint={spec ? `${spec.summary} · up to ${spec.timeout} s` : undefined}
      />
      <SchemaFields
        schema={schema} texts={values} errorOf={(key) => errorFor(error, key)}
        onChange={(key, v) => setValues((old) => ({ ...old, [key]: v }))} empty={<p className="muted">No parameters.</p>}
      />
      {top ? <p className="form-error" role="alert">{top}</p> : null}
      {sent ? <p className="muted" role="status">Queued: {sent}</p> : null}
      <button type="submit" disabled={busy || !spec?.allowed}>{spec?.allowed === false ? 'Not allowed for your role' : 'Send command'}</button>
    </form>
  );
}

function History({ rows }: { rows: CommandInfo[] }) {
  if (rows.length === 0) return <p className="muted">No commands yet.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="Command history">
        <thead><tr><th>Command</th><th>Status</th><th>Exit code</th><th>Output</th><th>By</th><th>Sent</th></tr></thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.command_id} data-command={c.command_id} data-status={c.status}>
              <td><strong>{label(c.type)}</strong><div className="muted">{c.title}</div></td>
              <td>{c.status}{c.error ? <div className="muted" data-error>{c.error}</div> : null}</td>
              <td data-exit-code>{c.exit_code ?? '—'}</td>
              <td>{c.output ? <details><summary>{c.output.length} chars</summary><pre className="command-output">{c.output}</pre></details> : '—'}</td>
              <td className="muted">{c.created_by ?? '—'}</td>
              <td className="muted">{time(c.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function NodeCommands({ agent }: { agent: string }) {
  const [types, setTypes] = useState<CommandTypeInfo[] | null>(null);
  const [rows, setRows] = useState<CommandInfo[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    fleetCommandsApi.types().then((t) => live && setTypes(t), (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    let live = true;
    fleetCommandsApi.history(agent).then((h) => live && (setRows(h), setError(null)), (e: unknown) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      live = false;
    };
  }, [agent, tick]);
  const waiting = useMemo(() => rows.some((r) => r.status === 'pending'), [rows]);
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(reload, 2000);
    return () => clearInterval(t);
  }, [waiting, reload]);
  const mayAny = types?.some((t) => t.allowed) ?? false;
  return (
    <section className="card" aria-labelledby="commands-title">
      <h2 id="commands-title">Commands</h2>
      {error ? <Problem error={error} /> : null}
      {types && mayAny ? <SendForm agent={agent} types={types} onSent={reload} /> : null}
      {types && !mayAny ? <p className="muted">Your role may read the history but send no commands.</p> : null}
      <History rows={rows} />
    </section>
  );
}
