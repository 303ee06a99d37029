// Which thresholds apply right now, which ones the window crossed, and how far.
//
// Static thresholds are absolute ceilings. Once the baseline is trusted, the pps and bps
// thresholds drop to max(floor, percentile x multiplier) when that is lower: the dynamic level
// catches what is abnormal *for this host at this hour*, the static one what is too much anywhere.
import type { Severity } from '@breakwater/contracts';
import type { DetectionConfig } from '../config/schema.ts';
import type { BaselineLevels } from '../baseline/hourly-baseline.ts';
import type { WindowRates } from '../window/sliding-window.ts';

export const THRESHOLD_NAMES = ['pps', 'bps', 'tcp_pps', 'udp_pps', 'icmp_pps', 'syn_pps', 'fragment_pps'] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];

const RATE_OF: Record<ThresholdName, keyof WindowRates> = {
  pps: 'pps',
  bps: 'bps',
  tcp_pps: 'tcpPps',
  udp_pps: 'udpPps',
  icmp_pps: 'icmpPps',
  syn_pps: 'synPps',
  fragment_pps: 'fragmentPps',
};

export interface EffectiveThreshold {
  name: ThresholdName;
  /** 0 = disabled. */
  value: number;
  source: 'static' | 'baseline';
}

export interface ThresholdHit {
  name: ThresholdName;
  value: number;
  observed: number;
  source: 'static' | 'baseline';
}

export function effectiveThresholds(cfg: DetectionConfig, levels: BaselineLevels): EffectiveThreshold[] {
  const t = cfg.thresholds;
  const b = cfg.baseline;
  const pick = (name: ThresholdName, staticValue: number, percentile: number, floor: number): EffectiveThreshold => {
    if (!b.enabled || !levels.ready) return { name, value: staticValue, source: 'static' };
    const d = Math.max(floor, Math.ceil(percentile * b.multiplier));
    return d < staticValue ? { name, value: d, source: 'baseline' } : { name, value: staticValue, source: 'static' };
  };
  return [
    pick('pps', t.pps, levels.ppsPercentile, b.floorPps),
    pick('bps', t.bps, levels.bpsPercentile, b.floorBps),
    { name: 'tcp_pps', value: t.tcpPps, source: 'static' },
    { name: 'udp_pps', value: t.udpPps, source: 'static' },
    { name: 'icmp_pps', value: t.icmpPps, source: 'static' },
    { name: 'syn_pps', value: t.synPps, source: 'static' },
    { name: 'fragment_pps', value: t.fragmentPps, source: 'static' },
  ];
}

export const observedFor = (name: ThresholdName, rates: WindowRates): number => rates[RATE_OF[name]];

/** Hits, the largest overshoot (observed / value) first. */
export function crossedThresholds(thresholds: EffectiveThreshold[], rates: WindowRates): ThresholdHit[] {
  const hits: ThresholdHit[] = [];
  for (const t of thresholds) {
    const observed = observedFor(t.name, rates);
    if (t.value > 0 && observed >= t.value) hits.push({ ...t, observed });
  }
  return hits.sort((a, b) => b.observed / b.value - a.observed / a.value);
}

/** True when every enabled metric is below its threshold x ratio: the hysteresis band's floor. */
export function belowResolveLevel(thresholds: EffectiveThreshold[], rates: WindowRates, ratio: number): boolean {
  return thresholds.every((t) => t.value <= 0 || observedFor(t.name, rates) < t.value * ratio);
}

export function overshoot(thresholds: EffectiveThreshold[], rates: WindowRates): number {
  let max = 0;
  for (const t of thresholds) if (t.value > 0) max = Math.max(max, observedFor(t.name, rates) / t.value);
  return max;
}

/** Severity by how far past its threshold the traffic went: ratio = observed / threshold. */
export function severityFor(ratio: number, cfg: DetectionConfig['severity']): Severity {
  if (ratio >= cfg.critical) return 'critical';
  if (ratio >= cfg.high) return 'high';
  if (ratio >= cfg.medium) return 'medium';
  return 'low';
}

/**
 * "Elevated": above what is normal but below any threshold. With a trusted baseline, above
 * percentile x elevatedMultiplier (pps or bps); before that, above threshold x
 * elevatedRatioWithoutBaseline, so a new node still shows a rise.
 */
export function isElevated(cfg: DetectionConfig, levels: BaselineLevels, thresholds: EffectiveThreshold[], rates: WindowRates): boolean {
  const b = cfg.baseline;
  if (b.enabled && levels.ready) {
    return (
      (levels.ppsPercentile > 0 && rates.pps > levels.ppsPercentile * b.elevatedMultiplier) ||
      (levels.bpsPercentile > 0 && rates.bps > levels.bpsPercentile * b.elevatedMultiplier)
    );
  }
  return thresholds.some(
    (t) => (t.name === 'pps' || t.name === 'bps') && t.value > 0 && observedFor(t.name, rates) > t.value * b.elevatedRatioWithoutBaseline,
  );
}
