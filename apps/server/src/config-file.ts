// The server's config file (/etc/breakwater/server.json, or --config / BREAKWATER_CONFIG): the
// keys of ServerConfig as JSON, any subset. Flags and environment win over it; its values are
// checked by resolveConfig like any other; here, that it is a JSON object whose every key exists.
import { existsSync, readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { ServerConfigSchema } from './config.ts';

export const DEFAULT_SERVER_CONFIG_FILE = '/etc/breakwater/server.json';

export class ConfigFileError extends Error {}

/** Keys the file may hold beyond ServerConfigSchema's: where secrets and local programs are, set by the operator. */
const EXTRA: Record<string, true | Record<string, true>> = {
  secretKeyFile: true,
  outbound: true,
  mitigation: { socketDirs: true, bird2: true },
};

type Props = Record<string, TSchema & { properties?: Props }>;

function unknownKeys(value: Record<string, unknown>, props: Props, extra: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const sub = props[k];
    const more = extra[k];
    if (!sub && !more) {
      out.push(`unknown key ${JSON.stringify(key)} (allowed: ${[...Object.keys(props), ...Object.keys(extra)].join(', ')})`);
      continue;
    }
    if (sub?.properties && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...unknownKeys(v as Record<string, unknown>, sub.properties, more !== null && typeof more === 'object' ? (more as Record<string, unknown>) : {}, key));
    }
  }
  return out;
}

/** The file's settings, or a ConfigFileError naming the file and the key. */
export function readServerConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigFileError(`${path}: must be a JSON object of server settings`);
  const problems = unknownKeys(raw as Record<string, unknown>, ServerConfigSchema.properties, EXTRA, '');
  if (problems.length > 0) throw new ConfigFileError(`${path}: ${problems.join('; ')}`);
  return raw as Record<string, unknown>;
}

/** Which file to read: the one named, else the default if it exists, else none. */
export function serverConfigFilePath(named: string | undefined): string | undefined {
  if (named !== undefined && named !== '') return named;
  return existsSync(DEFAULT_SERVER_CONFIG_FILE) ? DEFAULT_SERVER_CONFIG_FILE : undefined;
}

/** `over` on top of `base`, objects merged key by key; undefined in `over` leaves base's value. */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
      ? mergeSettings(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
