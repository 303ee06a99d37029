// The report as text for a terminal: what an operator reads first after an attack.
import type { AnalysisReport, Recommendation, TimelinePoint } from '@breakwater/contracts';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
function rate(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}
const time = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace('Z', ' UTC'));

function timelineLines(points: TimelinePoint[], step: number): string[] {
  if (points.length === 0) return ['  (no packets)'];
  const max = Math.max(1, ...points.map((p) => p.pps));
  // Long captures: show the busiest buckets and every attack bucket, in time order, at most 60 lines.
  let shown = points;
  if (points.length > 60) {
    const keep = new Set([...points].sort((a, b) => b.pps - a.pps).slice(0, 30));
    for (const p of points) if (p.attack && keep.size < 60) keep.add(p);
    shown = points.filter((p) => keep.has(p));
  }
  const lines = [`  ${'time (UTC)'.padEnd(19)} ${'pps'.padStart(10)} ${'bps'.padStart(14)}  tcp%  udp% icmp%  ${step > 1 ? `(${step} s buckets)` : ''}`];
  for (const p of shown) {
    const bar = '#'.repeat(Math.round((20 * p.pps) / max));
    lines.push(
      `  ${p.ts.slice(0, 19).replace('T', ' ')} ${n(p.pps).padStart(10)} ${rate(p.bps).padStart(14)} ${String(p.tcp_pct).padStart(5)} ${String(p.udp_pct).padStart(5)} ${String(p.icmp_pct).padStart(5)}  ${p.attack ? '!' : ' '}${bar}`,
    );
  }
  if (shown.length < points.length) lines.push(`  … ${points.length - shown.length} quieter buckets not shown (--json has them all)`);
  return lines;
}

function recommendationLine(r: Recommendation): string {
  switch (r.kind) {
    case 'flowspec': {
      const m = r.match;
      const parts = [
        m.destination !== undefined ? `dst ${m.destination}` : undefined,
        m.source !== undefined ? `src ${m.source.slice(0, 5).join(',')}${m.source.length > 5 ? ',…' : ''}` : undefined,
        m.protocol !== undefined ? `proto ${m.protocol.join(',')}` : undefined,
        m.source_port !== undefined ? `src-port ${m.source_port.join(',')}` : undefined,
        m.destination_port !== undefined ? `dst-port ${m.destination_port.join(',')}` : undefined,
        m.tcp_flags !== undefined ? `tcp-flags ${m.tcp_flags.join(' ')}` : undefined,
        m.fragment !== undefined ? `fragment ${m.fragment.join(',')}` : undefined,
      ].filter((x) => x !== undefined);
      const action = r.action.type === 'discard' ? 'discard' : `rate-limit ${rate(r.action.bps)}`;
      return `FlowSpec   match { ${parts.join('; ')} } then ${action} — ${r.reason}`;
    }
    case 'blackhole':
      return `Blackhole  ${r.prefix} community ${r.community} ${r.recommended ? '(RECOMMENDED)' : '(last resort)'} — ${r.reason}`;
    case 'firewall': {
      const parts = [
        r.protocol,
        r.sources !== undefined ? `from ${r.sources.slice(0, 5).join(',')}${r.sources.length > 5 ? ',…' : ''}` : undefined,
        r.src_ports !== undefined ? `sport ${r.src_ports.join(',')}` : undefined,
        r.dst_ports !== undefined ? `dport ${r.dst_ports.join(',')}` : undefined,
        r.tcp_flags !== undefined ? `flags +${r.tcp_flags.set.join('+')}${r.tcp_flags.unset.length > 0 ? ` -${r.tcp_flags.unset.join('-')}` : ''}` : undefined,
        r.fragments === true ? 'fragments' : undefined,
        r.rate_pps !== undefined ? `at ${n(r.rate_pps)} pps` : undefined,
      ].filter((x) => x !== undefined);
      return `Firewall   ${r.action} ${parts.join(' ')} — ${r.reason}`;
    }
    case 'note':
      return `Note       ${r.reason}`;
  }
}

export function formatReport(r: AnalysisReport): string {
  const out: string[] = [];
  const f = r.file;
  out.push(`Capture ${f.name ?? '(stream)'}: ${f.format}, linktype ${f.linktype}, snaplen ${f.snaplen}`);
  out.push(`  ${n(f.packets)} packets, ${n(f.bytes)} bytes on the wire, ${f.duration_s} s from ${time(f.first_ts)} to ${time(f.last_ts)}${f.decode_errors > 0 ? `, ${n(f.decode_errors)} undecodable` : ''}`);
  if (r.error !== null) {
    out.push('');
    out.push(`INCOMPLETE: ${r.error.message}`);
    out.push('  Everything below covers only the packets before that point.');
  }
  const t = r.analysis.thresholds;
  out.push('');
  out.push(`Thresholds (1 s window): ${n(t.pps ?? 0)} pps, ${rate(t.bps ?? 0)}, SYN ${n(t.syn_pps ?? 0)} pps, ICMP ${n(t.icmp_pps ?? 0)} pps, fragments ${n(t.fragment_pps ?? 0)} pps`);
  out.push(`Targets: ${r.analysis.targets.length === 0 ? 'none' : r.analysis.targets.map((x) => `${x.target} (${x.chosen}, ${n(x.packets)} pkts in)`).join(', ')}`);
  for (const s of r.analysis.targets_skipped) out.push(`  skipped ${s.target}: ${s.reason}`);

  out.push('');
  out.push(`Timeline (all traffic, ! = incident active):`);
  out.push(...timelineLines(r.timeline, r.timeline_step_s));

  out.push('');
  if (r.incidents.length === 0) out.push('Incidents: none — no threshold was crossed.');
  else out.push(`Incidents: ${r.incidents.length}`);
  r.incidents.forEach((i, k) => {
    out.push('');
    out.push(`[${k}] ${i.target}: ${i.attack_family} / ${i.attack_subtype} — severity ${i.severity.toUpperCase()}, confidence ${i.confidence}%`);
    out.push(`    ${time(i.started_at)} → ${time(i.ended_at)} (${i.duration_s} s)${i.ongoing_at_end ? ' — still going when the capture ended' : ''}`);
    out.push(`    peak ${n(i.peak_pps)} pps, ${rate(i.peak_bps)}; opened by ${i.threshold.name} ${n(i.threshold.observed)} ≥ ${n(i.threshold.value)} (${i.threshold.source})`);
    out.push(`    why: ${i.explanation}`);
    out.push(`    protocols: TCP ${i.protocol_breakdown.tcp}%, UDP ${i.protocol_breakdown.udp}%, ICMP ${i.protocol_breakdown.icmp}%; flags: ${Object.entries(i.tcp_flag_breakdown).map(([k, v]) => `${k} ${n(v)}`).join(', ') || '-'}`);
    out.push(`    sources: ~${n(i.source_ip_count)} distinct; top ${i.top_src_ips.slice(0, 5).map((s) => `${s.ip} (${n(s.count)})`).join(', ') || '-'}`);
    out.push(`    dst ports: ${i.top_dst_ports.slice(0, 5).map((p) => `${p.port} (${n(p.count)})`).join(', ') || '-'}; src ports: ${i.top_src_ports.slice(0, 5).map((p) => `${p.port} (${n(p.count)})`).join(', ') || '-'}`);
    out.push(`    countries: ${Object.entries(i.geo_breakdown).slice(0, 5).map(([c, v]) => `${c} ${n(v)}`).join(', ') || '-'}`);
    out.push(`    spoofed: ${i.spoofing_detected ? 'yes' : 'no'}; botnet: ${i.botnet_detected ? `yes (${i.botnet_signatures.join(', ')})` : 'no'}`);
  });

  out.push('');
  out.push(`Top sources: ${r.top_src_ips.slice(0, 10).map((s) => `${s.ip} (${n(s.packets)})`).join(', ') || '-'}`);
  out.push(`Top destination ports: ${r.top_dst_ports.slice(0, 10).map((p) => `${p.port} (${n(p.packets)})`).join(', ') || '-'}`);
  out.push(`Countries: ${r.countries.slice(0, 10).map((c) => `${c.country} ${c.pct}%`).join(', ') || '-'}${r.analysis.geo.note !== null ? ` (${r.analysis.geo.note})` : ''}`);
  out.push(`Spoofing: ${r.spoofing.verdict.replace('_', ' ')} — ${r.spoofing.why}`);
  out.push(`Botnet: ${r.botnet.verdict.replace('_', ' ')} — ${r.botnet.why}`);

  if (r.recommendations.length > 0) {
    out.push('');
    out.push('Recommended mitigation:');
    for (const rec of r.recommendations) out.push(`  [${rec.incident}] ${recommendationLine(rec)}`);
  }
  return out.join('\n') + '\n';
}
