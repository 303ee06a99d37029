// A type's config, checked against its schema in contracts (defaults filled in) by the one config
// validator. Values are never repeated in messages (a config holds credentials); a failure is a
// ScrubbingError of kind config naming the key ("config.zone_id: must be a Cloudflare zone id …").
import { ConfigError, SCRUBBING_CONFIG_SCHEMAS, validateConfig, type ScrubbingConfigOf, type ScrubbingType } from '@breakwater/contracts';
import { ScrubbingError } from './errors.ts';

export function scrubbingConfig<T extends ScrubbingType>(type: T, config: unknown): ScrubbingConfigOf<T> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw ScrubbingError.config('config', 'must be an object');
  // Forms send empty text fields for optional keys: they count as left out.
  const given = Object.fromEntries(Object.entries(config as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && v !== ''));
  try {
    return validateConfig(SCRUBBING_CONFIG_SCHEMAS[type], given, { rootKey: 'config', echo: false });
  } catch (err) {
    if (err instanceof ConfigError) throw ScrubbingError.config(err.key, err.problems[0]?.message ?? 'is invalid');
    throw err;
  }
}

/** The API base URL: the config's, else the provider's; without a trailing slash. */
export function baseUrl(given: string | undefined, fallback: string): string {
  return (given ?? fallback).replace(/\/+$/, '');
}
