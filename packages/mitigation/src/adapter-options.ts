// An adapter's options, checked against the TypeBox schema the adapter owns (defaults filled in)
// by contracts' one config validator. A failure is a permanent AdapterError carrying the key
// ("options.account_id") and saying what is allowed: the API answers it with a 400 naming config.<key>.
import { ConfigError, validateConfig } from '@breakwater/contracts';
import type { Static, TSchema } from 'typebox';
import { AdapterError } from './adapter.ts';

/**
 * `null` counts as left out (the default applies), and so does '' for the keys in `blankIsAbsent`
 * (forms send empty text fields). `echo: false` keeps every value out of messages.
 */
export function adapterOptions<T extends TSchema>(schema: T, options: unknown, opts: { blankIsAbsent?: readonly string[]; echo?: boolean } = {}): Static<T> {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) throw AdapterError.about('options', 'must be an object');
  const given = Object.fromEntries(Object.entries((options ?? {}) as Record<string, unknown>)
    .filter(([k, v]) => v !== null && v !== undefined && !(v === '' && opts.blankIsAbsent?.includes(k))));
  try {
    return validateConfig(schema, given, { rootKey: 'options', echo: opts.echo, noun: 'option' });
  } catch (err) {
    if (err instanceof ConfigError) throw AdapterError.about(err.key, err.problems[0]?.message ?? 'is invalid');
    throw err;
  }
}
