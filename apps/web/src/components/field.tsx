// Form fields that show the API's own message beside the field it names.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ApiError } from '../api/client.ts';

// Refusals of the input itself; others (403, 429, 5xx, network) belong to the whole form.
const ABOUT_INPUT = new Set([400, 401, 409, 422]);
const toFallback = (err: ApiError, fallback: string | undefined) => fallback !== undefined && err.field === null && ABOUT_INPUT.has(err.status);

/** Which field an error belongs to: the one the API named, or `fallback` for input refusals that name none. */
export function errorFor(err: unknown, field: string, fallback?: string): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.field !== null) return err.field === field || err.field.startsWith(`${field}.`) ? err.message : null;
  return toFallback(err, fallback) && fallback === field ? err.message : null;
}

/** A message no field claimed (shown at the top of the form). */
export function formError(err: unknown, fields: string[], fallback?: string): string | null {
  if (!err) return null;
  if (err instanceof ApiError) {
    if (err.field !== null && fields.some((f) => err.field === f || err.field!.startsWith(`${f}.`))) return null;
    if (toFallback(err, fallback)) return null;
    return err.message;
  }
  return err instanceof Error ? err.message : 'Something went wrong';
}

interface Common { label: string; name: string; error: string | null; hint?: ReactNode }

function Wrap({ id, label, error, hint, children }: { id: string; label: string; error: string | null; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <small className="hint" id={`${id}-hint`}>{hint}</small> : null}
      {error ? <small className="field-error" id={`${id}-error`} role="alert" data-field-error={label}>{error}</small> : null}
    </div>
  );
}

function described(id: string, error: string | null, hint?: ReactNode) {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

export function TextField({ label, name, error, hint, ...rest }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <Wrap id={id} label={label} error={error} hint={hint}>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...rest} />
    </Wrap>
  );
}

export function SelectField({ label, name, error, hint, options, ...rest }: Common & SelectHTMLAttributes<HTMLSelectElement> & { options: (string | [string, string])[] }) {
  const id = useId();
  return (
    <Wrap id={id} label={label} error={error} hint={hint}>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...rest}>
        {options.map((o) => (Array.isArray(o) ? <option key={o[0]} value={o[0]}>{o[1]}</option> : <option key={o} value={o}>{o}</option>))}
      </select>
    </Wrap>
  );
}

export function TextAreaField({ label, name, error, hint, ...rest }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <Wrap id={id} label={label} error={error} hint={hint}>
      <textarea id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={described(id, error, hint)} {...rest} />
    </Wrap>
  );
}

/** One choice among a few, each with a line saying what it means (a fieldset: the legend labels the group). */
export function RadioField({ label, name, error, options, defaultValue }: Omit<Common, 'hint'> & { options: { value: string; label: string; hint: ReactNode }[]; defaultValue: string }) {
  const id = useId();
  return (
    <fieldset className={`field choice${error ? ' has-error' : ''}`} aria-describedby={error ? `${id}-error` : undefined} data-field={name}>
      <legend>{label}</legend>
      {options.map((o) => (
        <label key={o.value} className="choice-option">
          <input type="radio" name={name} value={o.value} defaultChecked={o.value === defaultValue} aria-describedby={`${id}-${o.value}-hint`} aria-invalid={error ? true : undefined} />
          <span><span className="choice-label">{o.label}</span><small className="hint" id={`${id}-${o.value}-hint`}>{o.hint}</small></span>
        </label>
      ))}
      {error ? <small className="field-error" id={`${id}-error`} role="alert" data-field-error={label}>{error}</small> : null}
    </fieldset>
  );
}

/** A form field's text (file inputs are not used in these forms). */
export function text(f: FormData, name: string): string {
  const v = f.get(name);
  return typeof v === 'string' ? v : '';
}
