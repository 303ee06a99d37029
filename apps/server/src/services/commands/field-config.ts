// Keys of GET agent/config that agents in the field read with their own types (paths.md):
// `service_ports` is an object (`{"enabled": false}` when off; when on also its ports and
// policy), `flow` and `l7` objects with `enabled`. A list where an object is read makes every
// config fetch of those agents fail ("'list' object has no attribute 'get'"), so each value is
// built here with its type fixed, whatever the workspace settings hold.
import type { ServicePortsConfig } from '@breakwater/contracts';

/** What a switched-on service port watch uses where the workspace settings say nothing. */
export const SERVICE_PORT_DEFAULTS = { sensitivity: 'medium', pps_threshold: 5000, response_mode: 'alert', block_cooldown: 300, block_scope: 'source' } as const;

const ints = (v: unknown): number[] => (Array.isArray(v) ? v.filter((p): p is number => Number.isInteger(p) && p >= 1 && p <= 65535) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const str = (v: unknown, d: string) => (typeof v === 'string' && v.length > 0 ? v : d);
const int = (v: unknown, d: number, min: number) => (Number.isInteger(v) && (v as number) >= min ? (v as number) : d);

/**
 * The settings' `service_ports` as field agents read it: a list of ports (the dashboard's form)
 * switches it on with those ports; an object is taken key by key; anything else is off.
 */
export function servicePortsOf(setting: unknown): ServicePortsConfig {
  const o: Record<string, unknown> = Array.isArray(setting) ? { enabled: setting.length > 0, ports: setting } : setting && typeof setting === 'object' ? (setting as Record<string, unknown>) : {};
  const ports = ints(o.ports);
  if (o.enabled !== true || ports.length === 0) return { enabled: false };
  const d = SERVICE_PORT_DEFAULTS;
  return {
    enabled: true, ports, sensitivity: str(o.sensitivity, d.sensitivity), pps_threshold: int(o.pps_threshold, d.pps_threshold, 1),
    response_mode: str(o.response_mode, d.response_mode), block_cooldown: int(o.block_cooldown, d.block_cooldown, 0),
    block_scope: str(o.block_scope, d.block_scope), ip_safelist: strs(o.ip_safelist),
  };
}

/** `flow` and `l7`: `{enabled}` always, on only when the settings say `{enabled: true}` (or `true`). */
export function toggleOf(setting: unknown): { enabled: boolean } {
  if (setting === true) return { enabled: true };
  return { enabled: !!setting && typeof setting === 'object' && (setting as { enabled?: unknown }).enabled === true };
}
