// `breakwater analyze` on a capture of flow datagrams (a pcap of UDP to a collector's ports): the
// same decoder and per-destination detection as `breakwater collector`, driven by the capture's
// timestamps, so what it reports is what the collector would have opened.
import type { FlowCaptureReport } from '@breakwater/contracts';
import type { DetectionConfigInput, DetectionEvent, Incident } from '@breakwater/detection';
import { createFlowDecoder, flowDatagramsFromFile, sniffFlowProtocol } from '@breakwater/flows';
import { createFlowDetector } from './flow-detector.ts';

export interface FlowCaptureOptions {
  /** Protected networks; default every address (each destination gets its own engine, up to maxHosts). */
  networks?: string[];
  detection?: DetectionConfigInput;
  /** Only datagrams to these UDP ports; default every UDP datagram that reads as a flow export. */
  ports?: number[];
  fileName?: string;
}

const TICK_MS = 100;

/** True when most of the first UDP datagrams in the capture read as NetFlow/IPFIX/sFlow. */
export async function looksLikeFlowCapture(path: string, ports?: number[]): Promise<boolean> {
  let seen = 0;
  let flows = 0;
  for await (const d of flowDatagramsFromFile(path, ports)) {
    seen++;
    if (sniffFlowProtocol(d.payload) !== null) flows++;
    if (seen >= 50) break;
  }
  return seen > 0 && flows * 2 > seen;
}

function present(host: string, i: Incident): FlowCaptureReport['incidents'][number] {
  return {
    host, attackFamily: i.attackFamily, attackSubtype: i.attackSubtype, severity: i.severity,
    startedAt: new Date(i.startedAt).toISOString(), endedAt: i.endedAt === null ? null : new Date(i.endedAt).toISOString(),
    peakPps: Math.round(i.peakPps), peakBps: Math.round(i.peakBps),
    threshold: { name: i.threshold.name, value: i.threshold.value, observed: Math.round(i.threshold.observed) },
    explanation: i.explanation, topSources: i.traffic.topSrcIps.slice(0, 10), topDstPorts: i.traffic.topDstPorts.slice(0, 10),
  };
}

export async function analyzeFlowCapture(path: string, o: FlowCaptureOptions = {}): Promise<FlowCaptureReport> {
  const networks = o.networks ?? ['0.0.0.0/0', '::/0'];
  const decoder = createFlowDecoder({ clock: { now: () => last ?? 0 } });
  const detector = createFlowDetector({ networks, detection: o.detection ?? {}, maxHosts: 65_536 });
  const report: FlowCaptureReport = {
    kind: 'flows', file: o.fileName ?? path, datagrams: 0, otherPackets: 0, records: 0, packets: { raw: 0, scaled: 0 }, bytes: { raw: 0, scaled: 0 },
    firstMs: null, lastMs: null, exporters: [], networks: detector.networks.list(), incidents: [],
  };
  const open = new Map<string, FlowCaptureReport['incidents'][number]>();
  const onEvents = (host: string, events: DetectionEvent[]) => {
    for (const e of events) {
      if (e.type !== 'incident.opened' && e.type !== 'incident.updated' && e.type !== 'incident.resolved') continue;
      const p = present(host, e.incident);
      const prev = open.get(e.incident.id);
      if (prev) Object.assign(prev, p);
      else {
        open.set(e.incident.id, p);
        report.incidents.push(p);
      }
    }
  };
  let last: number | null = null;
  let nextFlush: number | null = null;
  const flushUntil = (t: number) => {
    while (nextFlush !== null && nextFlush <= t) {
      for (const h of detector.flush(nextFlush)) onEvents(h.host, h.events);
      nextFlush += TICK_MS;
    }
  };
  for await (const d of flowDatagramsFromFile(path, o.ports)) {
    if (sniffFlowProtocol(d.payload) === null) {
      report.otherPackets++;
      continue;
    }
    const t = d.receivedAtMs;
    if (nextFlush === null) {
      nextFlush = t - (t % TICK_MS) + TICK_MS;
      detector.flush(nextFlush - TICK_MS);
    }
    flushUntil(t);
    last = t;
    report.firstMs ??= t;
    report.lastMs = t;
    report.datagrams++;
    decoder.decodeEach(d.payload, d.from, t, (r) => {
      report.records++;
      report.packets.raw += r.packetsRaw;
      report.packets.scaled += r.packets;
      report.bytes.raw += r.bytesRaw;
      report.bytes.scaled += r.bytes;
      detector.add(r, t);
    });
  }
  // After the last datagram: long enough of quiet for the engines to resolve what is open.
  if (last !== null) {
    const cooldown = Math.max(...detector.hosts().map((h) => detector.engine(h)!.config.hysteresis.cooldownMs), 0);
    flushUntil(last + 1000 + cooldown + 2 * TICK_MS);
  }
  report.exporters = decoder.exporters().map((s) => ({
    exporter: s.exporter, protocols: s.protocols, datagrams: s.datagrams, records: s.records, samplingRate: s.samplingRate, samplingSource: s.samplingSource,
    templates: s.templateList.map((t) => ({ protocol: t.protocol, domain: t.domain, templateId: t.templateId, options: t.options, fieldCount: t.fieldCount })),
    decodeErrors: Object.fromEntries(Object.entries(s.decodeErrors).filter(([, n]) => n > 0)),
  }));
  return report;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function formatFlowReport(r: FlowCaptureReport): string {
  const lines = [
    `Flow capture ${r.file}`,
    `  ${n(r.datagrams)} flow datagrams${r.otherPackets ? ` (${n(r.otherPackets)} other UDP packets skipped)` : ''}, ${n(r.records)} records` +
      (r.firstMs !== null && r.lastMs !== null ? `, ${((r.lastMs - r.firstMs) / 1000).toFixed(1)} s` : ''),
    `  packets ${n(r.packets.raw)} raw, ${n(r.packets.scaled)} scaled by sampling; bytes ${n(r.bytes.raw)} raw, ${n(r.bytes.scaled)} scaled`,
    '',
    'Exporters',
  ];
  for (const e of r.exporters) {
    lines.push(`  ${e.exporter}  ${e.protocols.join(', ')}  ${n(e.datagrams)} datagrams, ${n(e.records)} records, sampling 1:${e.samplingRate} (${e.samplingSource})`);
    for (const t of e.templates) lines.push(`    template ${t.templateId} (${t.protocol}, domain ${t.domain}${t.options ? ', options' : ''}): ${t.fieldCount} fields`);
    const errs = Object.entries(e.decodeErrors);
    if (errs.length > 0) lines.push(`    decode errors: ${errs.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  lines.push('', `Incidents the collector would open (protected: ${r.networks.join(', ')})`);
  if (r.incidents.length === 0) lines.push('  none');
  for (const i of r.incidents) {
    lines.push(`  ${i.host}  ${i.attackFamily}${i.attackSubtype ? `/${i.attackSubtype}` : ''}  ${i.severity}  ${i.startedAt} → ${i.endedAt ?? 'still open'}`);
    lines.push(`    peak ${n(i.peakPps)} pps, ${n(i.peakBps)} bps; ${i.threshold.name} ${n(i.threshold.observed)} over ${n(i.threshold.value)}`);
    if (i.topSources.length > 0) lines.push(`    top sources: ${i.topSources.slice(0, 5).map((s) => `${s.ip} (${n(s.count)})`).join(', ')}`);
    if (i.topDstPorts.length > 0) lines.push(`    top ports: ${i.topDstPorts.slice(0, 5).map((p) => `${p.port} (${n(p.count)})`).join(', ')}`);
    lines.push(`    ${i.explanation}`);
  }
  return lines.join('\n') + '\n';
}
