// What the sources look like: TTL spread and source-address diversity, and the spoofing verdict
// drawn from them. See README "Spoofing" for why each rule holds.
import type { ClassificationConfig } from '../config/schema.ts';
import type { TrafficDetail } from '../window/traffic-detail.ts';

export interface SourceAnalysis {
  /** Shannon entropy of the TTL histogram, bits (0..8). */
  ttlEntropyBits: number;
  /** TTL values carrying at least 0.5% of packets each. */
  ttlDistinct: number;
  /** Share of packets in the three most common TTL values. */
  ttlTop3Share: number;
  ttlPackets: number;
  /** Largest distinct-source estimate of any tick: a lower bound for the whole span. */
  distinctSources: number;
  /** Distinct sources per decoded packet within a tick, averaged: ~1 means every packet has a new source. */
  sourceRatio: number;
  /** Estimated source-address entropy, bits: heavy hitters exactly, the rest spread evenly. */
  sourceEntropyBits: number;
  /** Share of packets from the heaviest hitters the source reported. */
  topSourcesShare: number;
}

export function entropyBits(counts: Iterable<number>): number {
  let total = 0;
  for (const c of counts) total += c;
  if (total <= 0) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return Math.max(0, h);
}

export function analyzeSources(d: TrafficDetail): SourceAnalysis {
  const ttl = d.ttlHistogram;
  const ttlPackets = ttl.reduce((s, v) => s + v, 0);
  const sorted = [...ttl].sort((a, b) => b - a);
  const top3 = (sorted[0] ?? 0) + (sorted[1] ?? 0) + (sorted[2] ?? 0);

  const hitters = [...d.sources.values()].map((c) => c.packets);
  const hitterPackets = hitters.reduce((s, v) => s + v, 0);
  const base = Math.max(d.packets, hitterPackets);
  const rest = Math.max(0, base - hitterPackets);
  const restSources = Math.max(1, d.distinctSourcesMax - hitters.length);
  let srcH = 0;
  if (base > 0) {
    for (const c of hitters) if (c > 0) srcH -= (c / base) * Math.log2(c / base);
    // The unreported remainder spread evenly over the sources not listed.
    if (rest > 0) srcH -= (rest / base) * Math.log2(rest / base / restSources);
  }
  return {
    ttlEntropyBits: entropyBits(ttl),
    ttlDistinct: ttlPackets > 0 ? ttl.filter((v) => v / ttlPackets >= 0.005).length : 0,
    ttlTop3Share: ttlPackets > 0 ? top3 / ttlPackets : 0,
    ttlPackets,
    distinctSources: d.distinctSourcesMax,
    sourceRatio: d.decodedPacketsSum > 0 ? Math.min(1, d.distinctSourcesSum / d.decodedPacketsSum) : 0,
    sourceEntropyBits: Math.max(0, srcH),
    topSourcesShare: base > 0 ? Math.min(1, hitterPackets / base) : 0,
  };
}

export interface Verdict {
  detected: boolean;
  reasons: string[];
}

/** TTL histograms thinner than this say nothing. */
const MIN_TTL_PACKETS = 100;

export function spoofingVerdict(a: SourceAnalysis, cfg: ClassificationConfig): Verdict {
  const reasons: string[] = [];
  if (a.ttlPackets >= MIN_TTL_PACKETS && a.ttlEntropyBits >= cfg.spoofTtlEntropyBits) {
    reasons.push(
      `TTL entropy ${a.ttlEntropyBits.toFixed(2)} bits (≥ ${cfg.spoofTtlEntropyBits}) over ${a.ttlDistinct} values: real paths give a few TTL clusters, random TTLs are forged`,
    );
  }
  if (
    a.ttlPackets >= MIN_TTL_PACKETS &&
    a.distinctSources >= cfg.spoofMinSources &&
    a.sourceRatio >= cfg.spoofSourceRatio &&
    a.ttlTop3Share >= cfg.spoofTtlClusterShare
  ) {
    reasons.push(
      `${Math.round(a.distinctSources)} distinct sources (${a.sourceRatio.toFixed(2)} per packet) yet ${(100 * a.ttlTop3Share).toFixed(1)}% of packets in 3 TTL values: one origin forging source addresses`,
    );
  }
  return { detected: reasons.length > 0, reasons };
}
