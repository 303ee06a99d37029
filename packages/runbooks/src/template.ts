// The template language of runbook steps: literal text and `{{name}}` holes, where name is one of
// TEMPLATE_VARIABLES. Nothing else: no expressions, filters, calls or nesting, so a template can
// never run code. Each value is escaped for where the text goes: plain text (control characters
// dropped), a URL component (percent-encoded), a JSON string (JSON.stringify), or one argv element
// (refused when it could be read as an option or holds a line break or NUL).
import { TEMPLATE_VARIABLES, type TemplateVariable } from '@breakwater/contracts';

export type Destination = 'text' | 'url' | 'json' | 'argv';
export type TemplateVars = Readonly<Record<TemplateVariable, string>>;

type Part = { text: string } | { variable: TemplateVariable };

const HOLE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);

export class TemplateError extends Error {}

/** The template's parts; a TemplateError names the first unknown variable or stray brace. */
export function parseTemplate(source: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of source.matchAll(HOLE)) {
    if (m.index > last) parts.push({ text: source.slice(last, m.index) });
    const name = m[1] ?? '';
    if (!KNOWN.has(name)) throw new TemplateError(`unknown variable {{${name.slice(0, 40)}}} (allowed: ${TEMPLATE_VARIABLES.join(', ')})`);
    parts.push({ variable: name as TemplateVariable });
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ text: source.slice(last) });
  for (const p of parts) if ('text' in p && /\{\{|\}\}/.test(p.text)) throw new TemplateError('has an unclosed {{ or a stray }} (variables are written {{incident.target}})');
  return parts;
}

 
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(value: string, dest: Destination): string {
  switch (dest) {
    case 'url': return encodeURIComponent(value);
    case 'json': return JSON.stringify(value).slice(1, -1);
    case 'argv':
      if (/[\0\r\n]/.test(value)) throw new TemplateError('a value holds a line break or NUL, which no argument may');
      return value;
    default: return value.replace(CONTROL, '');
  }
}

/** Renders with each value escaped for `dest`. */
export function render(source: string, vars: TemplateVars, dest: Destination): string {
  const out = parseTemplate(source).map((p) => ('text' in p ? p.text : escape(vars[p.variable] ?? '', dest))).join('');
  if (dest === 'argv' && out.startsWith('-')) throw new TemplateError(`renders to ${JSON.stringify(out.slice(0, 40))}, which would read as an option`);
  return out;
}

/** The variables a template names (for validation and the editor). */
export function variablesOf(source: string): TemplateVariable[] {
  return parseTemplate(source).flatMap((p) => ('variable' in p ? [p.variable] : []));
}
