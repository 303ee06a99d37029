// The checks every rule passes before any adapter sees it. They are pure so that the property
// "an allowlisted address is never announced" can be tested over random inputs.
import { parsePrefix, prefixesOverlap, type RuleSpec } from '@breakwater/contracts';

export interface SafetyLimits {
  /** Blackholes shorter than this are refused (default: host routes only, /32 and /128). */
  minBlackholeLenV4: number;
  minBlackholeLenV6: number;
}

export const DEFAULT_SAFETY: SafetyLimits = { minBlackholeLenV4: 32, minBlackholeLenV6: 128 };

/** The prefix a rule would steer traffic for: its destination. */
export function ruleTarget(spec: RuleSpec): string {
  return spec.kind === 'flowspec' ? spec.match.destination : spec.prefix;
}

/**
 * Why the rule must not be announced, or null when it may be. An allowlist entry that shares any
 * address with the rule's target blocks it: announcing a /24 that contains an allowlisted /32
 * would drop that host's traffic too.
 */
export function refusal(spec: RuleSpec, allowlist: readonly string[], limits: SafetyLimits = DEFAULT_SAFETY): string | null {
  const target = parsePrefix(ruleTarget(spec));
  if (!target) return `target ${ruleTarget(spec)} is not an IP address or prefix`;
  for (const entry of allowlist) {
    const allowed = parsePrefix(entry);
    if (allowed && prefixesOverlap(allowed, target)) return `target ${ruleTarget(spec)} is covered by allowlist entry ${entry}`;
  }
  if (spec.kind === 'blackhole') {
    const min = target.family === 4 ? limits.minBlackholeLenV4 : limits.minBlackholeLenV6;
    if (target.len < min) return `blackhole of /${target.len} refused: prefixes shorter than /${min} are never blackholed`;
  }
  return null;
}
