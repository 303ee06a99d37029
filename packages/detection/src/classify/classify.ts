// The verdict: which vectors carry the attack, the family and subtype they add up to, spoofing and
// botnet evidence, and a sentence that says why. Shares are of the *excess* over what each vector
// normally carries (learned by the engine while there is no attack), so a SYN flood on a busy web
// server is not drowned by the server's everyday ACK traffic.
import type { AttackFamily } from '@breakwater/contracts';
import type { ClassificationConfig } from '../config/schema.ts';
import type { ThresholdName } from '../thresholds/thresholds.ts';
import type { TrafficDetail } from '../window/traffic-detail.ts';
import { analyzeSources, spoofingVerdict, type SourceAnalysis, type Verdict } from './source-analysis.ts';
import { botnetVerdict, type BotnetVerdict } from './botnet.ts';
import { extractVectors, pct, protocolTotal, type Vector } from './vectors.ts';

export interface VectorShare {
  id: string;
  family: AttackFamily;
  subtype: string;
  /** Share of the excess packets / bytes, 0..1. */
  packetShare: number;
  byteShare: number;
  rule: string;
}

export interface Classification {
  family: AttackFamily;
  subtype: string;
  /** 0..100: how much of the excess the verdict explains. */
  confidence: number;
  vectors: VectorShare[];
  spoofing: Verdict;
  botnet: BotnetVerdict;
  sources: SourceAnalysis;
  /** One line: the numbers and the rule that decided. */
  explanation: string;
  reasons: string[];
}

export type NormalRates = ReadonlyMap<string, { packets: number; bytes: number }>;

export interface ClassifyInput {
  detail: TrafficDetail;
  /** Seconds the detail spans; normal per-second rates are scaled by it. */
  seconds: number;
  /** Per-vector packets/bytes per second while there was no attack. */
  normal?: NormalRates;
  /** Thresholds that fired: a vector whose own threshold fired is significant at any share. */
  fired?: ThresholdName[];
}

function protocolLine(d: TrafficDetail): string {
  const total = protocolTotal(d);
  const parts: [string, number][] = [
    ['UDP', d.udp.packets],
    ['TCP', d.tcp.packets],
    ['ICMP', d.icmp.packets],
    ['GRE', d.gre.packets],
    ['other', d.other.packets],
  ];
  return parts
    .filter(([, n]) => n / total >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${pct(n, total)}`)
    .join(', ')
    .concat(' of packets');
}

function unknownVerdict(d: TrafficDetail, sources: SourceAnalysis, subtype: string, why: string): Classification {
  return {
    family: 'unknown',
    subtype,
    confidence: 0,
    vectors: [],
    spoofing: { detected: false, reasons: [] },
    botnet: { detected: false, signatures: [], reasons: [] },
    sources,
    explanation: why,
    reasons: [why],
  };
}

export function classify(input: ClassifyInput, cfg: ClassificationConfig): Classification {
  const d = input.detail;
  const sources = analyzeSources(d);
  const total = protocolTotal(d);
  if (!(total >= cfg.minDetailPackets)) {
    return unknownVerdict(d, sources, 'no_detail', `only ${Math.round(total)} decoded packets in the window (< ${cfg.minDetailPackets}): no packet detail to classify`);
  }
  const seconds = Math.max(0, input.seconds);
  const fired = new Set(input.fired ?? []);
  const excess = extractVectors(d, cfg).map((v) => {
    const n = input.normal?.get(v.id);
    return {
      v,
      packets: Math.max(0, v.packets - (n?.packets ?? 0) * seconds),
      bytes: Math.max(0, v.bytes - (n?.bytes ?? 0) * seconds),
    };
  });
  const sumP = excess.reduce((s, e) => s + e.packets, 0);
  const sumB = excess.reduce((s, e) => s + e.bytes, 0);
  const shares = excess
    .map((e) => ({ ...e, packetShare: sumP > 0 ? e.packets / sumP : 0, byteShare: sumB > 0 ? e.bytes / sumB : 0 }))
    .map((e) => ({ ...e, share: Math.max(e.packetShare, e.byteShare) }))
    .sort((a, b) => b.share - a.share);
  // A byte share alone needs some packet share too: byte counts of flag vectors are estimates, and
  // a rounding residue of a big-packet vector must not pass for a second attack.
  const S = cfg.significantShare;
  let significant = shares.filter(
    (e) =>
      e.packetShare >= S ||
      (e.byteShare >= S && e.packetShare >= S / 4) ||
      (e.v.threshold !== undefined && fired.has(e.v.threshold) && e.packetShare >= 0.05),
  );
  if (significant.length === 0) {
    const largest = shares[0];
    const why = largest
      ? `${protocolLine(d)}; no vector carries ≥ ${pct(cfg.significantShare, 1)} of the excess (largest: ${largest.v.subtype} ${pct(largest.share, 1)})`
      : `${protocolLine(d)}; no traffic above normal in any vector`;
    return unknownVerdict(d, sources, 'unclassified', why);
  }

  // Fragments of a UDP vector are that vector's large datagrams, not a second attack.
  const notes: string[] = [];
  const frag = significant.find((e) => e.v.id === 'fragments');
  const udpLike = significant.find((e) => e.v.id !== 'fragments' && (e.v.family === 'udp_flood' || e.v.family === 'dns_flood'));
  if (frag && udpLike) {
    significant = significant.filter((e) => e !== frag);
    notes.push(`${pct(d.fragments.packets, total)} of packets are fragments of the ${udpLike.v.subtype} datagrams`);
  }

  const spoofing = spoofingVerdict(sources, cfg);
  const reflection = significant.some((e) => e.v.reflection === true);
  const botnet = botnetVerdict(d, sources, { reflection, spoofed: spoofing.detected }, cfg);
  const primary = significant[0] as (typeof significant)[number];
  const named = (v: Vector) => (v.id === 'syn' && spoofing.detected ? 'spoofed_syn_flood' : v.subtype);
  const family: AttackFamily = significant.length >= 2 ? 'multi_vector' : primary.v.family;
  const subtype = significant.length >= 2 ? significant.map((e) => named(e.v)).join('+') : named(primary.v);
  const coverage = significant.reduce((s, e) => s + e.packetShare, 0);
  const rules = significant.map((e) => `${e.v.rule} (${pct(e.share, 1)} of the excess)`);
  const decided =
    significant.length >= 2
      ? `${significant.length} vectors each ≥ ${pct(cfg.significantShare, 1)} of the excess → multi_vector`
      : '';
  const explanation = [protocolLine(d), ...rules, ...notes, decided, ...spoofing.reasons, ...botnet.reasons]
    .filter((s) => s !== '')
    .join('; ');
  return {
    family,
    subtype,
    confidence: Math.round(100 * Math.min(1, coverage)),
    vectors: significant.map((e) => ({
      id: e.v.id,
      family: e.v.family,
      subtype: named(e.v),
      packetShare: e.packetShare,
      byteShare: e.byteShare,
      rule: e.v.rule,
    })),
    spoofing,
    botnet,
    sources,
    explanation,
    reasons: [...rules, ...notes, ...spoofing.reasons, ...botnet.reasons],
  };
}
