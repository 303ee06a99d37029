// The dashboard's one schema-driven form, drawn from the TypeBox schemas in @breakwater/contracts that
// also validate the API (one definition: type, enum, default, bounds, description, optional/required).
//
//   <SchemaForm schema={ChannelForm} value={channel} apiPrefix="" secrets={['config.api_key']}
//     error={err} onSubmit={async (value) => { … }} submitLabel="Add channel" name="channel" />
//
// - schema: an object schema (TypeBox or plain JSON Schema). Each property becomes a field labelled by its
//   key ("min_severity" → "min severity"), hint = description · bounds · default · optional:
//   enum/const union → select; boolean → select (—/true/false); integer/number → number box;
//   string, or a union of plain types → text box; array of plain values → one per line; object → a
//   fieldset of its fields; array of objects → a fieldset per item with Add/Remove; anything else
//   (records, unions of objects) → a small JSON box, checked before sending.
// - value: what exists (e.g. the API's GET reply) to edit; omit for a new object. Re-keyed by the caller
//   (`key=`) to start again from another value.
// - secrets: extra field paths that hold credentials, beyond properties marked `secret: true` or
//   `echo: false`. Secrets are password boxes; a masked value from the API ("****", "****abcd") is
//   shown as such and sent back untouched, which the API reads as "keep the stored one". An object
//   secret masked as "****" shows one box with a Replace button.
// - error: the last refusal (an ApiError, or any Error). Its message names a key ("config.url: must…",
//   "steps[1].x: …"); with `apiPrefix` ("config" when the form holds only a body's `config`) taken off,
//   it is shown at that field, or at the list/JSON box that holds it, else at the top of the form.
//   Focus moves to the first field in error. JSON that does not parse is refused at its field before
//   anything is sent.
// - onSubmit(value): the typed value (numbers as numbers, lists split, empty fields left out). Enter
//   in any box submits; the button is disabled while the promise runs. Throw to keep the form as typed.
// - children: extra fields drawn before the schema's (e.g. the type select that picks the schema);
//   footer: extra buttons beside the submit button. name: prefixes input names and sets data-form.
//
// The lower-level SchemaFields/textsOf/valuesOf (flat keys, nested values as JSON) stay for the
// runbook step editor and the node command console.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { label } from '../format.ts';
import { SelectField, TextAreaField, TextField } from './field.tsx';
import {
  boundsOf, choicesOf, draftOf, fieldFor, fieldPaths, isMask, isSecret, pathOfMessage, setDraft, shapeOf, valueOfDraft,
  type Draft, type DraftObject, type JsonSchema,
} from './schema-draft.ts';

export type { JsonSchema } from './schema-draft.ts';

export interface PropSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: PropSchema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  allowed?: string;
  format?: string;
  items?: PropSchema;
  /** false: a secret (typed into a password box). */
  echo?: boolean;
}
export interface ObjectSchema {
  properties?: Record<string, PropSchema>;
  required?: string[];
}

/** A closed list of words, however the schema spells it (enum, or anyOf of consts). */
export function choices(p: PropSchema): string[] | null {
  if (Array.isArray(p.enum)) return p.enum.map(String);
  if (Array.isArray(p.anyOf) && p.anyOf.length > 0 && p.anyOf.every((a) => typeof a.const === 'string')) return p.anyOf.map((a) => String(a.const));
  return null;
}

const SCALARS = new Set(['string', 'integer', 'number']);
const isScalar = (p: PropSchema | undefined) => !!p && (SCALARS.has(p.type ?? '') || choices(p) !== null);

/** How a key is edited: a word from a list, a number, a line of text, a list one item per line, or JSON. */
export type FieldKind = 'choice' | 'boolean' | 'number' | 'text' | 'lines' | 'json';
export function kindOf(p: PropSchema): FieldKind {
  if (choices(p)) return 'choice';
  if (p.type === 'boolean') return 'boolean';
  if (p.type === 'integer' || p.type === 'number') return 'number';
  if (p.type === 'string') return 'text';
  if (p.type === 'array' && isScalar(p.items)) return 'lines';
  return 'json';
}

export function hintOf(p: PropSchema, required: boolean): string {
  const bounds = p.minimum !== undefined && p.maximum !== undefined ? `${p.minimum}–${p.maximum}` : p.minimum !== undefined ? `≥ ${p.minimum}` : p.maximum !== undefined ? `≤ ${p.maximum}` : null;
  const items = p.type === 'array' && p.items ? choices(p.items) : null;
  const parts = [p.description ?? p.allowed, bounds, items ? items.join(', ') : null, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : null, required ? null : 'optional'];
  return parts.filter(Boolean).join(' · ');
}

/** Typed values to the form's text (to edit what exists). */
export function textsOf(schema: ObjectSchema, value: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    const v = value?.[key];
    if (v === undefined || v === null) continue;
    const kind = kindOf(p);
    const plain = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
    out[key] = kind === 'json' ? JSON.stringify(v, null, 2) : kind === 'lines' && Array.isArray(v) ? v.map(plain).join('\n') : plain(v);
  }
  return out;
}

/** The form's text as the values the schema asks for: numbers as numbers, lists one item per line, JSON parsed, empty left out. Keys whose JSON does not parse are named in `invalid`. */
export function valuesOf(schema: ObjectSchema, texts: Record<string, string>): { value: Record<string, unknown>; invalid: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const invalid: Record<string, string> = {};
  const num = (s: string) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    const v = (texts[key] ?? '').trim();
    if (v === '') continue;
    const kind = kindOf(p);
    if (kind === 'number') value[key] = num(v);
    else if (kind === 'boolean') value[key] = v === 'true' ? true : v === 'false' ? false : v;
    else if (kind === 'lines') {
      const items = v.split('\n').map((s) => s.trim()).filter(Boolean);
      value[key] = p.items?.type === 'integer' || p.items?.type === 'number' ? items.map(num) : items;
    } else if (kind === 'json') {
      try {
        value[key] = JSON.parse(v) as unknown;
      } catch {
        invalid[key] = `${key}: not valid JSON`;
      }
    } else value[key] = v;
  }
  return { value, invalid };
}

export interface SchemaFieldsProps {
  schema: ObjectSchema;
  texts: Record<string, string>;
  onChange: (key: string, text: string) => void;
  /** The message to show at a key, if any. */
  errorOf: (key: string) => string | null;
  /** A prefix for input names, so two forms on a page stay apart. */
  name?: string;
  empty?: ReactNode;
}

/** One field per property of the schema. */
export function SchemaFields({ schema, texts, onChange, errorOf, name = '', empty }: SchemaFieldsProps) {
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return <>{empty ?? null}</>;
  return (
    <>
      {props.map(([key, p]) => {
        const required = schema.required?.includes(key) ?? false;
        const common = { label: label(key), name: `${name}${key}`, error: errorOf(key), hint: hintOf(p, required), value: texts[key] ?? '' };
        const set = (v: string) => onChange(key, v);
        const kind = kindOf(p);
        const words = kind === 'boolean' ? ['true', 'false'] : choices(p);
        if (words) return <SelectField key={key} {...common} options={[['', '—'], ...words.map((w) => [w, w] as [string, string])]} onChange={(e) => set(e.target.value)} />;
        if (kind === 'lines') return <TextAreaField key={key} {...common} rows={3} hint={`${common.hint} · one per line`} onChange={(e) => set(e.target.value)} />;
        if (kind === 'json') return <TextAreaField key={key} {...common} rows={3} className="json-field" hint={`${common.hint} · JSON`} spellCheck={false} onChange={(e) => set(e.target.value)} />;
        return (
          <TextField key={key} {...common} type={kind === 'number' ? 'number' : p.echo === false ? 'password' : 'text'} autoComplete={p.echo === false ? 'new-password' : undefined} required={required}
            placeholder={p.default !== undefined ? JSON.stringify(p.default) : undefined} onChange={(e) => set(e.target.value)} />
        );
      })}
    </>
  );
}

export interface SchemaFormProps {
  schema: unknown;
  value?: Record<string, unknown> | undefined;
  secrets?: readonly string[];
  error?: unknown;
  apiPrefix?: string;
  onSubmit: (value: Record<string, unknown>) => Promise<unknown> | void;
  submitLabel: string;
  name?: string;
  children?: ReactNode;
  footer?: ReactNode;
  /** Keys of the schema not drawn (set by the page some other way). */
  omit?: readonly string[];
  busy?: boolean;
}

const hintFor = (p: JsonSchema, required: boolean, extra?: string) =>
  [p.description ?? p.allowed, ...boundsOf(p), p.type === 'array' && p.items ? choicesOf(p.items)?.join(', ') : null, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : null, required ? null : 'optional', extra]
    .filter(Boolean).join(' · ');

/** The form: see the top of this file. */
export function SchemaForm({ schema, value, secrets = [], error, apiPrefix = '', onSubmit, submitLabel, name = '', children, footer, omit = [], busy }: SchemaFormProps) {
  const root = schema as JsonSchema;
  const drawn: JsonSchema = { ...root, type: 'object', properties: Object.fromEntries(Object.entries(root.properties ?? {}).filter(([k]) => !omit.includes(k))) };
  const [draft, setDraftState] = useState<Draft>(() => draftOf(drawn, value ?? {}));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [running, setRunning] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const fields = new Set(fieldPaths(drawn, draft));
  const message = error instanceof Error ? error.message : null;
  const errPath = message !== null ? pathOfMessage(message, apiPrefix) : null;
  const errField = errPath !== null ? fieldFor(errPath, fields) : null;
  const errorAt = (path: string): string | null => local[path] ?? (errField === path ? message : null);
  const top = Object.keys(local).length === 0 && message !== null && errField === null ? message : null;

  useEffect(() => {
    if (!error && Object.keys(local).length === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
  }, [error, local]);

  const set = (path: string, next: Draft) => {
    setDraftState((d) => setDraft(d, path ? path.split('.') : [], next));
    if (local[path]) setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== path)));
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const invalid: Record<string, string> = {};
    const v = valueOfDraft(drawn, draft, '', invalid, apiPrefix);
    setLocal(invalid);
    if (Object.keys(invalid).length > 0) return;
    setRunning(true);
    try {
      await onSubmit((v.value ?? {}) as Record<string, unknown>);
    } catch {
      // the page shows what it was told through `error`
    } finally {
      setRunning(false);
    }
  };

  return (
    <form ref={formRef} className="form-grid schema-form" noValidate onSubmit={(e) => void submit(e)} data-form={name || undefined}>
      {top ? <p className="problem" role="alert">{top}</p> : null}
      {children}
      <ObjectFields schema={drawn} draft={draft} path="" name={name} secrets={secrets} set={set} errorAt={errorAt} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={running || busy}>{submitLabel}</button>
        {footer}
      </div>
    </form>
  );
}

interface NodeProps {
  schema: JsonSchema;
  draft: Draft;
  path: string;
  name: string;
  secrets: readonly string[];
  set: (path: string, next: Draft) => void;
  errorAt: (path: string) => string | null;
}

function ObjectFields({ schema, draft, path, ...rest }: NodeProps) {
  const o: DraftObject = typeof draft === 'object' && !Array.isArray(draft) ? draft : {};
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, p]) => (
        <SchemaNode key={key} schema={p} draft={o[key] ?? ''} path={path ? `${path}.${key}` : key} required={schema.required?.includes(key) ?? false} label={p.title ?? label(key)} {...rest} />
      ))}
    </>
  );
}

function SchemaNode({ schema: p, draft, path, required, label: text, name, secrets, set, errorAt }: NodeProps & { required: boolean; label: string }) {
  const [replacing, setReplacing] = useState(false);
  const shape = shapeOf(p);
  const secret = isSecret(p, path, secrets);
  const common = { label: text, name: `${name}${path}`, error: errorAt(path) };
  const node = { name, secrets, set, errorAt };

  // A stored secret that is not a plain string (e.g. basic_auth), masked as "****": kept unless replaced.
  if (isMask(draft) && p.type !== 'string' && !replacing) {
    return (
      <div className="field-with-action">
        <TextField {...common} type="password" value={draft} readOnly hint="stored; kept as it is unless replaced" />
        <button type="button" onClick={() => { setReplacing(true); set(path, draftOf(p, undefined)); }}>Replace {text}</button>
      </div>
    );
  }
  if (shape === 'object') {
    return (
      <fieldset className="subform" data-path={path}>
        <legend>{text}{required ? '' : ' (optional)'}</legend>
        {p.description ? <small className="hint">{p.description}</small> : null}
        <div className="form-grid"><ObjectFields schema={p} draft={draft} path={path} {...node} /></div>
      </fieldset>
    );
  }
  if (shape === 'objects') {
    const items = Array.isArray(draft) ? draft : [];
    const err = errorAt(path);
    return (
      <fieldset className="subform" data-path={path} aria-invalid={err ? true : undefined}>
        <legend>{text}{required ? '' : ' (optional)'}</legend>
        <small className="hint">{hintFor(p, required)}</small>
        {err ? <small className="field-error" role="alert" data-field-error={text}>{err}</small> : null}
        {items.map((item, i) => (
          <fieldset key={i} className="subform" data-path={`${path}.${i}`}>
            <legend>{text} {i + 1}</legend>
            <div className="form-grid"><ObjectFields schema={p.items!} draft={item} path={`${path}.${i}`} {...node} /></div>
            <button type="button" className="danger" onClick={() => set(path, items.filter((_, j) => j !== i))}>Remove {text} {i + 1}</button>
          </fieldset>
        ))}
        <button type="button" onClick={() => set(path, [...items, draftOf(p.items!, undefined)])}>Add {text}</button>
      </fieldset>
    );
  }
  const value = typeof draft === 'string' ? draft : '';
  const hint = hintFor(p, required, secret && isMask(value) ? 'stored; leave as it is to keep it' : undefined);
  const change = (v: string) => set(path, v);
  const options = shape === 'boolean' ? ['true', 'false'] : choicesOf(p);
  if (options) {
    const none = p.default !== undefined ? `— (default ${JSON.stringify(p.default)})` : '—';
    return <SelectField {...common} hint={hint} value={value} options={[['', none], ...options.map((w) => [w, w] as [string, string])]} onChange={(e) => change(e.target.value)} />;
  }
  if (shape === 'lines') return <TextAreaField {...common} rows={3} hint={`${hint} · one per line`} value={value} onChange={(e) => change(e.target.value)} />;
  if (shape === 'json') return <TextAreaField {...common} rows={3} className="json-field" spellCheck={false} hint={`${hint} · JSON`} value={value} onChange={(e) => change(e.target.value)} />;
  return (
    <TextField {...common} hint={hint} value={value} required={required}
      type={shape === 'number' ? 'number' : secret ? 'password' : p.format === 'email' ? 'email' : p.format === 'date-time' ? 'datetime-local' : 'text'}
      inputMode={shape === 'number' ? 'decimal' : undefined} min={p.minimum} max={p.maximum} step={p.type === 'integer' ? 1 : shape === 'number' ? 'any' : undefined}
      autoComplete={secret ? 'new-password' : 'off'} spellCheck={false}
      placeholder={p.default !== undefined ? JSON.stringify(p.default) : undefined}
      onFocus={secret && isMask(value) ? (e) => e.currentTarget.select() : undefined}
      onChange={(e) => change(e.target.value)} />
  );
}
