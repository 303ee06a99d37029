// The live log viewer on a node's page: a systemd unit (journald) or a file inside the roots
// the agent allows, streamed as it is written. Each start takes a fresh single-use ticket;
// the view keeps the last MAX_LINES lines and follows the end unless the reader scrolled up.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { fleetApi, type LogLine } from '../api/fleet.ts';
import { SelectField, TextField, errorFor, formError } from '../components/field.tsx';

const MAX_LINES = 1000;
type Source = 'journald' | 'file';

export function NodeLogs({ agent }: { agent: string }) {
  const [source, setSource] = useState<Source>('journald');
  const [target, setTarget] = useState('');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<'idle' | 'opening' | 'live' | 'ended'>('idle');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const view = useRef<HTMLPreElement | null>(null);
  const follow = useRef(true);

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => {
    const el = view.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const stop = () => {
    abort.current?.abort();
    abort.current = null;
    setState('ended');
    setNote('Stopped.');
  };

  const start = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    abort.current?.abort();
    const ac = new AbortController();
    abort.current = ac;
    setError(null);
    setNote(null);
    setLines([]);
    setState('opening');
    try {
      const query: Record<string, string> = source === 'journald' ? { source, unit: target.trim() } : { source, path: target.trim() };
      const { done } = await fleetApi.stream(agent, 'logs', query, (ev) => {
        if (ev.event === 'log') setLines((old) => [...old, ev.data as LogLine].slice(-MAX_LINES));
        else if (ev.event === 'dropped') setNote(`${(ev.data as { lines: number }).lines} lines dropped while the connection was behind`);
        else if (ev.event === 'end') setNote(`Stream ended: ${(ev.data as { reason: string; message?: string }).message ?? (ev.data as { reason: string }).reason.replace(/_/g, ' ')}`);
      }, ac.signal);
      setState('live');
      void done.then(() => {
        if (abort.current === ac) setState('ended');
      });
    } catch (err) {
      setState('idle');
      setError(err instanceof ApiError || err instanceof Error ? err : new Error(String(err)));
    }
  };

  const field = source === 'journald' ? 'unit' : 'path';
  return (
    <section className="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Live logs</h2>
      <form onSubmit={(e) => void start(e)} aria-label="Stream logs" className="inline-form">
        <SelectField label="Source" name="source" value={source} error={errorFor(error, 'source')}
          onChange={(e) => setSource(e.target.value as Source)} options={[['journald', 'systemd unit (journald)'], ['file', 'file on the agent']]} />
        <TextField label={source === 'journald' ? 'Unit' : 'Path'} name={field} value={target} required error={errorFor(error, field, field)}
          placeholder={source === 'journald' ? 'nginx.service' : '/var/log/nginx/access.log'}
          hint={source === 'journald' ? 'A systemd unit name' : 'An absolute path inside the roots the agent allows (file_roots)'}
          onChange={(e) => setTarget(e.target.value)} />
        <button type="submit" disabled={state === 'opening'}>{state === 'live' ? 'Restart' : 'Start'}</button>
        {state === 'live' ? <button type="button" onClick={stop}>Stop</button> : null}
      </form>
      {formError(error, ['source', field], field) ? <p className="form-error" role="alert">{formError(error, ['source', field], field)}</p> : null}
      <p className="muted" role="status" data-stream-state={state}>
        {state === 'live' ? `Streaming · ${lines.length} lines` : state === 'opening' ? 'Opening…' : note ?? 'Not streaming.'}
        {state === 'live' && note ? ` · ${note}` : ''}
      </p>
      <pre className="log-view" ref={view} aria-label="Log lines" tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}>
        {lines.map((l, i) => <span key={i} className={l.priority !== undefined && l.priority <= 3 ? 'log-line log-error' : 'log-line'}>{l.line}{'\n'}</span>)}
      </pre>
    </section>
  );
}
