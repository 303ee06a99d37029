// Runbooks: the list (active flag, triggers, execution counts), an editor with the eight step types
// and each one's params (fields built from the step type's action_config schema in contracts; the
// API's message naming steps[i].action_config.key shown at that field), a test run (dry run unless asked otherwise), and each runbook's execution
// history step by step. Viewers read; operators and admins edit, toggle and test-run.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.ts';
import { url } from '../api/routes.ts';
import type { ExecutionInfo, RunbookInfo, RunbookStep } from '../api/types.ts';
import { ON_FAILURE, STEP_CONFIGS, STEP_TYPES, TriggerConditions, type OnFailure, type StepType } from '@breakwater/contracts';
import { SelectField, TextField } from '../components/field.tsx';
import { SchemaFields, textsOf, valuesOf, type ObjectSchema } from '../components/schema-form.tsx';
import { PageHeader, Problem } from '../components/layout.tsx';
import { time } from '../format.ts';
import { useCan } from '../session.tsx';
import { useApi } from '../use-api.ts';

/** A starting action_config per type, so a new step's form shows a working example. */
const EXAMPLES: Record<StepType, Record<string, unknown>> = {
  wait: { seconds: 30 },
  iptables: { rule: 'block_source', params: { address: '{{incident.top_source}}' }, ttl: 600 },
  notify_channel: { channel_id: '', message: 'Runbook on {{node.name}}: {{incident.family}} at {{incident.peak_pps}} pps' },
  webhook: { url: 'https://hooks.example.com/ddos', payload: { target: '{{incident.target}}' }, timeout_ms: 5000, retries: 2 },
  cloudflare_uam: { integration_id: '' },
  scrubbing_enable: { integration_id: '', ttl: 3600 },
  log: { message: '{{incident.family}} on {{incident.target}}' },
  condition: { when: [{ field: 'incident.current_pps', op: 'gt', value: 100000 }], else: 'stop' },
};
const tone = (s: string) => (s === 'succeeded' ? 'online' : s === 'failed' || s === 'undone' ? 'attack' : s === 'running' || s === 'waiting' ? 'elevated' : 'neutral');
const describeTrigger = (r: RunbookInfo) => {
  const t = r.trigger_conditions;
  return [(t.events ?? ['opened']).join('/'), t.attack_families?.join(', '), t.min_pps !== undefined ? `≥ ${t.min_pps} pps` : null, t.min_severity ? `≥ ${t.min_severity}` : null].filter(Boolean).join(' · ');
};

export function RunbooksPage() {
  const canAct = useCan('operator');
  const list = useApi('/api/v1/runbooks');
  const [editing, setEditing] = useState<RunbookInfo | 'new' | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', String(err)));
    }
    list.reload();
  };
  return (
    <>
      <PageHeader title="Runbooks">{canAct && editing === null ? <button type="button" onClick={() => setEditing('new')}>New runbook</button> : null}</PageHeader>
      <Problem error={list.error ?? error} />
      {canAct && editing !== null ? <RunbookForm key={editing === 'new' ? 'new' : editing.id} current={editing === 'new' ? null : editing} onDone={() => { setEditing(null); list.reload(); }} /> : null}
      {list.data && list.data.length === 0 ? <p className="muted">No runbook yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <table>
          <thead><tr><th>Name</th><th>Fires on</th><th>Steps</th><th>Runs</th><th>Last run</th><th>State</th><th /></tr></thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={r.id} data-runbook={r.id}>
                <td><button type="button" className="link" onClick={() => setOpen(open === r.id ? null : r.id)}>{r.name}</button></td>
                <td>{describeTrigger(r)}</td>
                <td>{r.steps.map((s) => s.action_type).join(' → ')}</td>
                <td data-execution-count={r.execution_count}>{r.execution_count} ({r.success_count} ok, {r.failure_count} failed)</td>
                <td>{r.last_executed_at ? time(r.last_executed_at) : '—'}</td>
                <td><span className={`badge ${r.active ? 'online' : 'neutral'}`}>{r.active ? 'active' : 'inactive'}</span></td>
                <td>
                  {canAct ? (
                    <>
                      <button type="button" onClick={() => setEditing(r)}>Edit</button>{' '}
                      <button type="button" onClick={() => void act(() => api.post(url('/api/v1/runbooks/:id/toggle', { params: { id: r.id } })))}>{r.active ? 'Deactivate' : 'Activate'}</button>{' '}
                      <button type="button" onClick={() => void act(async () => { await api.post(url('/api/v1/runbooks/:id/test', { params: { id: r.id } }), { dry_run: true }); setOpen(r.id); })}>Test run</button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open ? <Executions key={open} id={open} /> : null}
    </>
  );
}

type Texts = Record<string, string>;
interface StepDraft { action_type: StepType; on_failure: OnFailure; name?: string; texts: Texts }
const stepSchema = (t: StepType) => STEP_CONFIGS[t] as unknown as ObjectSchema;
const TRIGGER = TriggerConditions as unknown as ObjectSchema;
const draftOf = (s: RunbookStep): StepDraft => ({ action_type: s.action_type, on_failure: s.on_failure ?? 'stop', name: s.name, texts: textsOf(stepSchema(s.action_type), s.action_config) });
const freshStep = (t: StepType): StepDraft => ({ action_type: t, on_failure: 'stop', texts: textsOf(stepSchema(t), EXAMPLES[t]) });

/** Where the API's message belongs: a step's key (`steps[1].action_config.seconds`), a step, a trigger key, or a top-level key. */
function placeOf(message: string): { step?: number; key?: string; trigger?: string; field?: string } {
  const m = /^steps\[(\d+)\](?:\.action_config(?:\.(\w+))?|\.(\w+))?: /.exec(message);
  if (m) return { step: Number(m[1]), key: m[2] ?? (m[3] ? `.${m[3]}` : undefined) };
  const t = /^trigger_conditions\.(\w+)/.exec(message);
  if (t) return { trigger: t[1] };
  const f = /^(name|description|steps|trigger_conditions)\b/.exec(message);
  return f ? { field: f[1] } : {};
}

function RunbookForm({ current, onDone }: { current: RunbookInfo | null; onDone: () => void }) {
  const [steps, setSteps] = useState<StepDraft[]>(current?.steps.map(draftOf) ?? [freshStep('log')]);
  const [trigger, setTrigger] = useState<Texts>(textsOf(TRIGGER, { events: ['opened'], ...current?.trigger_conditions }));
  const [name, setName] = useState(current?.name ?? '');
  const [description, setDescription] = useState(current?.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const where = error ? placeOf(error) : {};
  const stepError = (i: number, key: string) => (where.step === i && where.key === key ? error : null);
  const change = (i: number, next: Partial<StepDraft>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...next } : s)));
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    const parsed: RunbookStep[] = [];
    for (const [i, s] of steps.entries()) {
      const { value, invalid } = valuesOf(stepSchema(s.action_type), s.texts);
      const bad = Object.values(invalid)[0];
      if (bad) return setError(`steps[${i}].action_config.${bad}`);
      parsed.push({ action_type: s.action_type, action_config: value, on_failure: s.on_failure, ...(s.name ? { name: s.name } : {}) });
    }
    const t = valuesOf(TRIGGER, trigger);
    const badTrigger = Object.values(t.invalid)[0];
    if (badTrigger) return setError(`trigger_conditions.${badTrigger}`);
    const body = { name, description, trigger_conditions: t.value, steps: parsed };
    setBusy(true);
    try {
      if (current) await api.patch(url('/api/v1/runbooks/:id', { params: { id: current.id } }), body);
      else await api.post('/api/v1/runbooks', body);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const top = error && where.step === undefined && where.trigger === undefined && where.field !== 'name' && where.field !== 'description' ? error : null;
  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-runbook-form>
      <h2>{current ? `Edit ${current.name}` : 'New runbook'}</h2>
      <TextField error={where.field === 'name' ? error : null} label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} required />
      <TextField error={where.field === 'description' ? error : null} label="Description" name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
      <fieldset data-trigger-editor>
        <legend>Fires when</legend>
        <SchemaFields schema={TRIGGER} texts={trigger} name="trigger." errorOf={(k) => (where.trigger === k ? error : null)} onChange={(k, v) => setTrigger({ ...trigger, [k]: v })} />
      </fieldset>
      <h3>Steps</h3>
      <ol>
        {steps.map((s, i) => (
          <li key={i} data-step-editor={i}>
            <fieldset>
              <legend>Step {i}</legend>
              <SelectField label={`Step ${i} type`} name={`steps.${i}.type`} error={stepError(i, '.action_type')} value={s.action_type} options={[...STEP_TYPES]}
                onChange={(e) => { const t = e.target.value as StepType; change(i, { action_type: t, texts: freshStep(t).texts }); }} />
              <SchemaFields schema={stepSchema(s.action_type)} texts={s.texts} name={`steps.${i}.`} errorOf={(k) => stepError(i, k)} onChange={(k, v) => change(i, { texts: { ...s.texts, [k]: v } })} />
              {where.step === i && where.key === undefined ? <p className="form-error" role="alert">{error}</p> : null}
              <SelectField label="On failure" name={`steps.${i}.on_failure`} error={stepError(i, '.on_failure')} value={s.on_failure} options={[...ON_FAILURE]} onChange={(e) => change(i, { on_failure: e.target.value as OnFailure })} />
              <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>Remove</button>
            </fieldset>
          </li>
        ))}
      </ol>
      <p><button type="button" onClick={() => setSteps([...steps, freshStep('log')])}>Add a step</button></p>
      {top ? <p className="form-error" role="alert">{top}</p> : null}
      <p><button type="submit" disabled={busy}>Save</button> <button type="button" onClick={onDone}>Cancel</button></p>
    </form>
  );
}

function Executions({ id }: { id: string }) {
  const runs = useApi(url('/api/v1/runbooks/:id/executions', { params: { id }, query: { limit: 20 } }));
  return (
    <section className="card" data-executions={id}>
      <h2>Executions <button type="button" onClick={runs.reload}>Refresh</button></h2>
      <Problem error={runs.error} />
      {runs.data?.length === 0 ? <p className="muted">No execution yet.</p> : null}
      {runs.data?.map((x: ExecutionInfo) => (
        <div key={x.id} data-execution={x.id} data-execution-status={x.status}>
          <h3><span className={`badge ${tone(x.status)}`}>{x.status}</span> {x.trigger === 'test' ? `test run${x.dry_run ? ' (dry run)' : ''}` : `incident ${x.event ?? ''}`} · {time(x.started_at)}{x.error ? ` · ${x.error}` : ''}</h3>
          <table>
            <thead><tr><th>#</th><th>Step</th><th>Status</th><th>Time</th><th>Output</th></tr></thead>
            <tbody>
              {x.steps.map((s) => (
                <tr key={s.index} data-step-status={s.status}>
                  <td>{s.index}</td><td>{s.action_type}</td><td><span className={`badge ${tone(s.status)}`}>{s.status}</span></td>
                  <td>{s.duration_ms === null ? '—' : `${s.duration_ms} ms`}</td>
                  <td><code>{s.error ?? JSON.stringify(s.output).slice(0, 200)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
