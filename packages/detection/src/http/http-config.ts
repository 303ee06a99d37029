// The HTTP side of the engine: its own thresholds, learned baselines and timers, separate from the
// packet thresholds (a web server's normal request rate has nothing to do with its packet rate).
// Rates are per second over the window. Checked by contracts' validatePlainConfig against the plain copy of http-config-schema.ts: errors name the key.
import type { Static } from 'typebox';
import { validatePlainConfig } from '@breakwater/contracts/plain';
import type { HttpDetectionConfigSchema } from './http-config-schema.ts';
import { HTTP_DETECTION_CONFIG_PLAIN } from './http-config-schema.generated.ts';

type DeepRequired<T> = T extends readonly (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;
export type HttpDetectionConfigInput = Static<typeof HttpDetectionConfigSchema>;
export type HttpDetectionConfig = DeepRequired<HttpDetectionConfigInput>;

/** Defaults filled in; throws contracts' ConfigError naming the key ("thresholds.rps: must be …"). */
export function parseHttpDetectionConfig(raw: unknown, label = 'http.detection.'): HttpDetectionConfig {
  return validatePlainConfig<HttpDetectionConfig>(HTTP_DETECTION_CONFIG_PLAIN, raw ?? {}, { label });
}
