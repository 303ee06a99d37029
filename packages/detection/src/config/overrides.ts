// Per-host overrides. One engine instance watches one destination (a node for the agent, or one
// protected host / prefix for the collector), so overrides are resolved once, when the engine is
// created for that target: every override whose prefix contains the target applies, the least
// specific first, so a /32 refines what its /24 set.
import type { DetectionConfig, HostOverride } from './schema.ts';
import { parsePrefix, prefixContains } from '@breakwater/contracts/plain';

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export function matchingOverrides(overrides: HostOverride[], target: string): HostOverride[] {
  return overrides
    .map((o) => ({ o, prefix: parsePrefix(o.match) }))
    .filter(({ prefix }) => prefix !== null && prefixContains(prefix, target))
    .sort((a, b) => (a.prefix?.len ?? 0) - (b.prefix?.len ?? 0))
    .map(({ o }) => o);
}

/** The config as it applies to `target`; without a target (or no match) the node-level config. */
export function configForTarget(config: DetectionConfig, target: string | undefined): DetectionConfig {
  if (target === undefined) return config;
  let out = config;
  for (const o of matchingOverrides(config.overrides, target)) {
    out = {
      ...out,
      thresholds: { ...out.thresholds, ...defined(o.thresholds) },
      baseline: { ...out.baseline, ...defined(o.baseline) },
      hysteresis: { ...out.hysteresis, ...defined(o.hysteresis) },
    };
  }
  return out;
}
