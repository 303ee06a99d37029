// The agent config's `http` key: which access logs to follow and how, the web ports whose open
// connections the socket table counts, and the HTTP detection parameters (the engine's schema).
// Checked when the agent starts; errors name the key ("http.logs.0.format must be one of …").
import type { Static } from 'typebox';
import type { HttpCustomField, HttpLogFormat } from '@breakwater/contracts';
import { validatePlainConfig } from '@breakwater/contracts/plain';
import { parseHttpDetectionConfig, type HttpDetectionConfig } from '@breakwater/detection';
import type { HttpAgentConfigSchema } from './http-config-schema.ts';
import { HTTP_AGENT_CONFIG_PLAIN } from './http-config-schema.generated.ts';

export const DEFAULT_LOGIN_PATHS = ['/login', '/wp-login.php', '/xmlrpc.php', '/user/login', '/users/sign_in', '/signin', '/api/login', '/auth/login', '/admin/login'];

export interface HttpLogConfig {
  path: string;
  format: HttpLogFormat;
  fields?: HttpCustomField[];
  separator?: 'space' | 'tab';
}
/** The unions above are built from contracts' lists, so their static types are spelled out here. */
export type HttpAgentConfig = Omit<Static<typeof HttpAgentConfigSchema>, 'logs'> & { logs: HttpLogConfig[]; engine: HttpDetectionConfig };

/** Validated, with defaults; throws a ConfigError whose message names the key under `http.`. */
export function parseHttpAgentConfig(raw: unknown): HttpAgentConfig {
  const c = validatePlainConfig<Omit<HttpAgentConfig, 'engine'>>(HTTP_AGENT_CONFIG_PLAIN, raw ?? {}, { label: 'http.', itemKeys: true });
  c.logs.forEach((l, i) => {
    if (l.format === 'custom' && !l.fields) throw new Error(`http.logs[${i}].fields: required for the custom format (e.g. ["source", "-", "-", "time", "request", "status", "bytes", "-", "user_agent"])`);
    if (l.format !== 'custom' && l.fields) throw new Error(`http.logs[${i}].fields: only for the custom format`);
  });
  return { ...c, engine: parseHttpDetectionConfig(c.detection ?? {}, 'http.detection.') };
}
