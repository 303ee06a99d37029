// Offline forensic analysis of a pcap/pcapng capture: the same 100 ms ticks and the same detection
// engine as the agent, with the capture's own timestamps as the clock, one engine per protected
// target. Two passes when targets must be chosen from the capture (the first counts destinations);
// a stream is spooled to a temporary file for that and removed afterwards.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPORT_VERSION, type AnalysisReport, type IncidentReport, type Recommendation, type ReportError, type TargetInfo, type TickStats } from '@breakwater/contracts';
import { createDetectionEngine, type DetectionEngine, type DetectionEvent, type Incident } from '@breakwater/detection';
import { TickAggregator, formatIp, type CaptureRecord, type GeoLookup } from '@breakwater/packets';
import { scanCapture } from './capture-scan.ts';
import { openGeo, type GeoSource } from './geo.ts';
import { botnetVerdict, incidentReport, recommendationsFor, spoofingVerdict } from './incident-report.ts';
import { parseTarget, resolveOptions, type AnalyzeOptions, type ResolvedOptions, type TargetSpec } from './options.ts';
import { TargetCounter } from './target-selection.ts';
import { TrafficSummary } from './traffic-summary.ts';

const TICK_MS = 100;

interface TargetRun {
  spec: TargetSpec;
  info: TargetInfo;
  agg: TickAggregator;
  engine: DetectionEngine;
  incidents: Map<string, Incident>;
  ongoing: Set<string>;
  /** The last ticks, newest last: what the target received just before the capture ended. */
  tail: TickStats[];
}

/** How much of the capture's end decides whether an attack was still going on. */
const TAIL_TICKS = 5;

/** Per-second rates over the tail ticks, by threshold name (detail is unsampled offline). */
function tailRates(ticks: TickStats[]): Record<string, number> {
  const sec = Math.max(0.001, ticks.reduce((a, t) => a + t.durationMs, 0) / 1000);
  const sum = (f: (t: TickStats) => number) => ticks.reduce((a, t) => a + f(t), 0) / sec;
  return {
    pps: sum((t) => t.total.packets),
    bps: sum((t) => t.total.bytes * 8),
    tcp_pps: sum((t) => t.byProtocol.tcp.packets),
    udp_pps: sum((t) => t.byProtocol.udp.packets),
    icmp_pps: sum((t) => t.byProtocol.icmp.packets),
    syn_pps: sum((t) => t.tcpFlags.syn),
    fragment_pps: sum((t) => t.fragments.packets),
  };
}

function targetRule(o: ResolvedOptions): string {
  if (o.targets !== undefined) return `explicit: ${o.targets.map((t) => t.text).join(', ')} (traffic to each address or prefix is one engine's input)`;
  return (
    `auto: every destination that received ≥ ${Math.round(o.targetMinShare * 100)}% of the packets or bytes of some second, ` +
    `busiest first, at most ${o.maxTargets}; a destination receiving mostly replies (RST, SYN-ACK, ICMP replies/errors) ` +
    `from another target is skipped as backscatter. Each target's inbound traffic feeds its own engine.`
  );
}

async function geoFor(o: ResolvedOptions): Promise<GeoSource> {
  if (o.geo === false) return { lookup: undefined, source: 'none', note: 'disabled by the caller' };
  if (typeof o.geo === 'function') return { lookup: o.geo, source: 'caller-supplied lookup', note: undefined };
  return openGeo(o.geoDatabase);
}

function newRun(spec: TargetSpec, info: TargetInfo, o: ResolvedOptions, geo: GeoLookup | undefined): TargetRun {
  const engine = createDetectionEngine(o.detection, { target: spec.address ?? spec.text, idPrefix: `${spec.text}#` });
  const run: TargetRun = { spec, info, engine, incidents: new Map(), ongoing: new Set(), tail: [], agg: undefined as unknown as TickAggregator };
  const record = (events: DetectionEvent[]) => {
    for (const e of events) if (e.type !== 'state.changed') run.incidents.set(e.incident.id, e.incident);
  };
  run.agg = new TickAggregator(
    { tickMs: TICK_MS, topN: o.detection.reporting.topN },
    {
      onTick: (t: TickStats) => {
        run.tail.push(t);
        if (run.tail.length > TAIL_TICKS) run.tail.shift();
        record(engine.ingest(t));
      },
      ...(geo !== undefined ? { geo } : {}) },
  );
  return run;
}

/**
 * Was the attack still going when the capture ended (its end is not in the file)? Judged on the
 * last 500 ms, not on the 1 s window, which still holds a flood that stopped just before the end.
 */
function stillAbove(run: TargetRun): boolean {
  const rates = tailRates(run.tail);
  const ratio = run.engine.config.hysteresis.resolveRatio;
  return run.engine.status().thresholds.some((t) => t.value > 0 && (rates[t.name] ?? 0) >= t.value * ratio);
}

export async function analyzeCapture(source: string | AsyncIterable<Uint8Array>, options?: AnalyzeOptions): Promise<AnalysisReport> {
  const o = resolveOptions(options);
  const geo = await geoFor(o);
  const openSource = typeof source === 'string' ? () => createReadStream(source, { highWaterMark: 1 << 20 }) : undefined;
  let spoolDir: string | undefined;
  try {
    // Pass 1 (auto targets only): count destinations; spool a stream so it can be read again.
    let specs: { spec: TargetSpec; info: TargetInfo }[];
    let skipped: { target: string; reason: string }[] = [];
    let second: () => AsyncIterable<Uint8Array>;
    if (o.targets !== undefined) {
      specs = o.targets.map((spec) => ({ spec, info: { target: spec.text, chosen: 'explicit', packets: 0, bytes: 0 } }));
      second = openSource ?? (() => source as AsyncIterable<Uint8Array>);
    } else {
      const counter = new TargetCounter(o.targetMinShare);
      if (openSource !== undefined) {
        await scanCapture(openSource(), (rec) => counter.add(rec));
        second = openSource;
      } else {
        spoolDir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'breakwater-analysis-'));
        const spoolPath = join(spoolDir, 'capture');
        const fh = await open(spoolPath, 'w');
        try {
          await scanCapture(source as AsyncIterable<Uint8Array>, (rec) => counter.add(rec), async (chunk) => {
            await fh.write(chunk);
          });
        } finally {
          await fh.close();
        }
        second = () => createReadStream(spoolPath, { highWaterMark: 1 << 20 });
      }
      const choice = counter.choose(o.maxTargets);
      skipped = choice.skipped.map((s) => ({ target: s.address, reason: s.reason }));
      specs = choice.targets.map((c) => {
        const spec = parseTarget(c.address) as TargetSpec;
        return { spec, info: { target: c.address, chosen: 'auto', packets: 0, bytes: 0, peak_second_share: Math.round(c.peakShare * 1000) / 1000 } };
      });
    }

    // Pass 2: all traffic → timeline and summary; each target's inbound traffic → its engine.
    const runs = specs.map(({ spec, info }) => newRun(spec, info, o, geo.lookup));
    const exact = new Map<string, TargetRun[]>();
    const prefixed: TargetRun[] = [];
    for (const r of runs) {
      if (r.spec.address !== undefined) exact.set(r.spec.address, [...(exact.get(r.spec.address) ?? []), r]);
      else prefixed.push(r);
    }
    const summary = new TrafficSummary();
    let packets = 0;
    let bytes = 0;
    let firstMs = Number.NaN;
    let lastMs = Number.NaN;
    const all = new TickAggregator(
      { tickMs: TICK_MS, topN: o.detection.reporting.topN },
      {
        onTick: (t) => {
          summary.addTick(t);
          // Keep every target's ticks on the capture's clock, traffic or not.
          for (const r of runs) r.agg.advanceTo(t.ts + TICK_MS);
        },
        ...(geo.lookup !== undefined ? { geo: geo.lookup } : {}),
      },
    );
    const route = (rec: CaptureRecord) => {
      packets++;
      const wire = rec.origlen > rec.caplen ? rec.origlen : rec.caplen;
      bytes += wire;
      if (Number.isNaN(firstMs) || rec.tsMs < firstMs) firstMs = rec.tsMs;
      if (Number.isNaN(lastMs) || rec.tsMs > lastMs) lastMs = rec.tsMs;
      all.addRecord(rec);
      if (runs.length === 0) return;
      const l = all.packet.ip;
      if (l.version !== 4 && l.version !== 6) return;
      const dst = formatIp(all.packet.buf, l.dstOffset, l.version);
      const hits = exact.get(dst);
      if (hits !== undefined) for (const r of hits) feed(r, rec, wire);
      for (const r of prefixed) if (r.spec.list.check(dst, l.version === 4 ? 'ipv4' : 'ipv6')) feed(r, rec, wire);
    };
    const feed = (r: TargetRun, rec: CaptureRecord, wire: number) => {
      r.info.packets++;
      r.info.bytes += wire;
      r.agg.addRecord(rec);
    };
    const scan = await scanCapture(second(), route);
    all.flush();
    const endMs = Number.isFinite(lastMs) ? lastMs : 0;
    for (const r of runs) {
      r.agg.advanceTo(endMs);
      r.agg.flush();
      const active = r.engine.activeIncident();
      if (active !== undefined && stillAbove(r)) r.ongoing.add(active.id);
      // Let the window drain and the cooldown run, so every incident closes with its real end.
      const cfg = r.engine.config;
      for (const e of r.engine.advance(endMs + cfg.windowMs + cfg.hysteresis.cooldownMs + cfg.reporting.updateIntervalMs + 1000)) {
        if (e.type !== 'state.changed') r.incidents.set(e.incident.id, e.incident);
      }
    }

    const incidents: IncidentReport[] = [];
    const recommendations: Recommendation[] = [];
    const ordered = runs
      .flatMap((r) => [...r.incidents.values()].map((inc) => ({ r, inc })))
      .sort((a, b) => a.inc.startedAt - b.inc.startedAt || a.r.info.target.localeCompare(b.r.info.target));
    for (const { r, inc } of ordered) {
      const rep = incidentReport(inc, r.info.target, r.ongoing.has(inc.id), endMs);
      recommendations.push(...recommendationsFor(inc, incidents.length, r.info.target, o.linkBps));
      incidents.push(rep);
    }
    const spans = incidents.map((i) => [Date.parse(i.started_at), Date.parse(i.ended_at)] as const);
    const tl = summary.timeline(firstMs, lastMs, (from, to) => spans.some(([s, e]) => s < to && e >= from));
    const countryTotal = [...summary.countries.values()].reduce((a, b) => a + b, 0);
    const t = o.detection.thresholds;
    const error: ReportError | null = scan.error;
    return {
      report_version: REPORT_VERSION,
      complete: error === null,
      error,
      file: {
        name: o.fileName ?? (typeof source === 'string' ? basename(source) : null),
        format: scan.reader.format,
        linktype: scan.reader.linktype,
        snaplen: scan.reader.snaplen,
        packets,
        bytes,
        first_ts: Number.isFinite(firstMs) ? new Date(firstMs).toISOString() : null,
        last_ts: Number.isFinite(lastMs) ? new Date(lastMs).toISOString() : null,
        duration_s: Number.isFinite(firstMs) ? Math.round(lastMs - firstMs) / 1000 : 0,
        decode_errors: summary.decodeErrors,
      },
      analysis: {
        tick_ms: TICK_MS,
        window_ms: o.detection.windowMs,
        thresholds: { pps: t.pps, bps: t.bps, tcp_pps: t.tcpPps, udp_pps: t.udpPps, icmp_pps: t.icmpPps, syn_pps: t.synPps, fragment_pps: t.fragmentPps },
        target_rule: targetRule(o),
        targets: runs.map((r) => r.info),
        targets_skipped: skipped,
        geo: { source: geo.source, note: geo.note ?? null },
      },
      incidents,
      timeline_step_s: tl.step,
      timeline: tl.points,
      top_src_ips: summary.sources.top(10).map(([ip, v]) => ({ ip, packets: v.packets, bytes: v.bytes })),
      top_dst_ports: summary.dstPorts.top(10).map(([port, v]) => ({ port, packets: v.packets, bytes: v.bytes })),
      top_src_ports: summary.srcPorts.top(10).map(([port, v]) => ({ port, packets: v.packets, bytes: v.bytes })),
      countries: [...summary.countries.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([country, n]) => ({ country, packets: n, pct: countryTotal > 0 ? Math.round((1000 * n) / countryTotal) / 10 : 0 })),
      spoofing: spoofingVerdict(incidents),
      botnet: botnetVerdict(incidents),
      recommendations,
    };
  } finally {
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
}
