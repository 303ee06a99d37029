// The escalation policy as stored and as evaluated. Evaluation is pure: an incident's peaks,
// the node's learned baseline and the matching per-host override decide which tiers fire.
import { EscalationPolicy, type PolicyBody, type Tier } from '@breakwater/contracts';
import { Value } from 'typebox/value';
import { parsePrefix, prefixCovers } from '@breakwater/contracts';

export const DEFAULT_POLICY: EscalationPolicy = Value.Create(EscalationPolicy);

/** Stored policy text → a full policy (defaults filled in for keys added since it was saved). */
export function readPolicy(stored: string | undefined): EscalationPolicy {
  if (!stored) return structuredClone(DEFAULT_POLICY);
  try {
    return mergePolicy(DEFAULT_POLICY, JSON.parse(stored) as PolicyBody);
  } catch {
    return structuredClone(DEFAULT_POLICY);
  }
}

export function mergePolicy(base: EscalationPolicy, patch: PolicyBody): EscalationPolicy {
  const merged = { ...structuredClone(base), ...structuredClone(patch) };
  if (patch.geo_lockdown) merged.geo_lockdown = { ...base.geo_lockdown, ...patch.geo_lockdown };
  return merged;
}

/** Problems a schema cannot see (cross-field rules); each message names the key. */
export function policyProblems(p: EscalationPolicy): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  p.thresholds.forEach((t, i) => {
    const at = `thresholds[${i}]`;
    if (names.has(t.name)) out.push(`${at}.name: "${t.name}" is used by an earlier tier; tier names must be unique`);
    names.add(t.name);
    if (t.pps === undefined && t.bps === undefined && t.multiplier === undefined) out.push(`${at}: give pps, bps or (dynamic mode) multiplier`);
    if (t.integration_id !== undefined && t.action !== 'scrubbing') out.push(`${at}.integration_id: only for the scrubbing action`);
    else if (t.integration_id !== undefined && t.adapter_id) out.push(`${at}: give adapter_id or integration_id, not both`);
    else if (t.action === 'scrubbing' && !t.adapter_id && !t.integration_id) out.push(`${at}.integration_id: required for the scrubbing action (a scrubbing integration, or adapter_id for an adapter that carries scrubbing)`);
    else if (t.action !== 'firewall' && t.action !== 'scrubbing' && !t.adapter_id) out.push(`${at}.adapter_id: required for the ${t.action} action`);
  });
  if (p.geo_lockdown.enabled && p.geo_lockdown.countries.length === 0) out.push('geo_lockdown.countries: give at least one country code when enabled');
  if (p.geo_lockdown.enabled && p.geo_lockdown.action === 'flowspec' && !p.geo_lockdown.adapter_id) out.push('geo_lockdown.adapter_id: required when the action is flowspec');
  return out;
}

export function tierTtl(p: EscalationPolicy, tier: Tier): number {
  if (tier.ttl !== undefined) return tier.ttl;
  if (typeof p.ttl === 'number') return p.ttl;
  return p.ttl[tier.name] ?? 3600;
}

export interface Peaks {
  pps: number;
  bps: number;
}

/** The per-host override that applies: the most specific entry containing the address. */
export function overrideFor(address: string, overrides: readonly { target_ip: string; thresholds: Record<string, number> }[]): Record<string, number> | null {
  const addr = parsePrefix(address);
  if (!addr) return null;
  let best: { len: number; t: Record<string, number> } | null = null;
  for (const o of overrides) {
    const p = parsePrefix(o.target_ip);
    if (p && prefixCovers(p, addr) && (!best || p.len > best.len)) best = { len: p.len, t: o.thresholds };
  }
  return best?.t ?? null;
}

export interface TierTrigger {
  pps: number | null;
  bps: number | null;
}

/** The thresholds a tier fires at for this host: override, then dynamic baseline, then the tier's own. */
export function tierTrigger(p: EscalationPolicy, tier: Tier, baselineP99Pps: number | null, override: Record<string, number> | null): TierTrigger {
  let pps = tier.pps ?? null;
  let bps = tier.bps ?? null;
  if (p.baseline_mode === 'dynamic' && tier.multiplier !== undefined && baselineP99Pps && baselineP99Pps > 0) {
    const dynamic = Math.round(baselineP99Pps * tier.multiplier);
    pps = Math.max(pps ?? 0, dynamic);
  }
  if (override) {
    if (override[`${tier.name}_pps`] !== undefined) pps = override[`${tier.name}_pps`]!;
    if (override[`${tier.name}_bps`] !== undefined) bps = override[`${tier.name}_bps`]!;
  }
  return { pps, bps };
}

/** The tiers an incident with these peaks has reached, in policy order. */
export function tiersReached(p: EscalationPolicy, peaks: Peaks, baselineP99Pps: number | null, override: Record<string, number> | null): Tier[] {
  if (!p.enabled) return [];
  return p.thresholds.filter((tier) => {
    const t = tierTrigger(p, tier, baselineP99Pps, override);
    return (t.pps !== null && peaks.pps >= t.pps) || (t.bps !== null && peaks.bps >= t.bps);
  });
}
