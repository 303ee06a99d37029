// Splits the traffic detail into candidate attack vectors that (approximately) partition it, so
// that shares add up and "two vectors each carry 20%" means something.
//
// The tick contract has no joint counts (port x protocol, flag x port), so some attributions are
// approximations, documented in the README: source/destination port counts are attributed to UDP
// (capped at the UDP packets left), non-first fragments carry no ports and are taken out of the UDP
// remainder first, then ICMP; TCP flag counts are capped at the TCP packets.
import type { AttackFamily, Counter } from '@breakwater/contracts';
import type { ClassificationConfig } from '../config/schema.ts';
import type { ThresholdName } from '../thresholds/thresholds.ts';
import type { TrafficDetail } from '../window/traffic-detail.ts';
import { amplificationServices, DNS_PORT } from './services.ts';

export interface Vector {
  id: string;
  family: AttackFamily;
  subtype: string;
  packets: number;
  bytes: number;
  /** Why this traffic belongs to this vector, with the numbers. */
  rule: string;
  /** The dedicated threshold that, when fired, makes this vector significant on its own. */
  threshold?: ThresholdName;
  /** True for reflected traffic: the sources are real reflectors, not the attacker. */
  reflection?: boolean;
}

export const pct = (part: number, whole: number): string => `${whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0'}%`;

/** TCP packets that carry no payload are ~60 bytes; the rest of the TCP bytes belong to ACK/PSH. */
const SMALL_TCP_BYTES = 60;

export function protocolTotal(d: TrafficDetail): number {
  const sum = d.tcp.packets + d.udp.packets + d.icmp.packets + d.gre.packets + d.other.packets;
  return sum > 0 ? sum : d.packets;
}

const portCount = (map: Map<number, Counter>, port: number): Counter => map.get(port) ?? { packets: 0, bytes: 0 };

export function extractVectors(d: TrafficDetail, cfg: ClassificationConfig): Vector[] {
  const vectors: Vector[] = [];
  const push = (v: Vector) => {
    if (v.packets > 0) vectors.push(v);
  };

  // UDP: reflection by source port, queries to our DNS, fragments, the rest.
  let udpLeft = d.udp.packets;
  let udpBytesLeft = d.udp.bytes;
  const take = (c: Counter): Counter => {
    const packets = Math.min(c.packets, udpLeft);
    const bytes = Math.min(c.bytes, udpBytesLeft, c.packets > 0 ? (c.bytes * packets) / c.packets : 0);
    udpLeft -= packets;
    udpBytesLeft -= bytes;
    return { packets, bytes };
  };
  const services = amplificationServices(cfg.extraAmplificationPorts)
    .map((s) => ({ s, c: portCount(d.srcPorts, s.port) }))
    .sort((a, b) => b.c.packets - a.c.packets);
  for (const { s, c } of services) {
    const got = take(c);
    const avg = got.packets > 0 ? Math.round(got.bytes / got.packets) : 0;
    push({
      id: `amp:${s.port}`,
      family: s.port === DNS_PORT ? 'dns_flood' : 'udp_flood',
      subtype: `${s.name}_amplification`,
      ...got,
      rule: `${pct(got.packets, d.udp.packets)} of UDP packets from source port ${s.port} (${s.label}), avg ${avg} B → ${s.name}_amplification`,
      threshold: 'udp_pps',
      reflection: true,
    });
  }
  const dnsQ = take(portCount(d.dstPorts, DNS_PORT));
  push({
    id: 'dns_query',
    family: 'dns_flood',
    subtype: 'dns_query_flood',
    ...dnsQ,
    rule: `${pct(dnsQ.packets, d.udp.packets)} of UDP packets to destination port 53 (queries) → dns_query_flood`,
    threshold: 'udp_pps',
  });

  let fragLeft = d.fragments.packets;
  const fragBytesPer = d.fragments.packets > 0 ? d.fragments.bytes / d.fragments.packets : 0;
  const fragFromUdp = Math.min(fragLeft, udpLeft);
  udpLeft -= fragFromUdp;
  udpBytesLeft = Math.max(0, udpBytesLeft - fragFromUdp * fragBytesPer);
  fragLeft -= fragFromUdp;
  const fragFromIcmp = Math.min(fragLeft, d.icmp.packets);
  fragLeft -= fragFromIcmp;
  const fragMajority = fragFromUdp >= fragFromIcmp && fragFromUdp >= fragLeft ? 'udp_flood' : fragFromIcmp >= fragLeft ? 'icmp_flood' : 'unknown';
  push({
    id: 'fragments',
    family: fragMajority,
    subtype: 'fragment_flood',
    packets: d.fragments.packets,
    bytes: d.fragments.bytes,
    rule: `${pct(d.fragments.packets, protocolTotal(d))} of packets are IP fragments → fragment_flood`,
    threshold: 'fragment_pps',
  });

  const topUdpPort = [...d.dstPorts.entries()].filter(([p]) => p !== DNS_PORT).sort((a, b) => b[1].packets - a[1].packets)[0];
  const portNote = topUdpPort && udpLeft > 0 ? `; top destination port ${topUdpPort[0]} (${pct(Math.min(topUdpPort[1].packets, udpLeft), udpLeft)})` : '';
  push({
    id: 'udp',
    family: 'udp_flood',
    subtype: 'udp_flood',
    packets: udpLeft,
    bytes: udpBytesLeft,
    rule: `${pct(udpLeft, protocolTotal(d))} of packets are UDP matching no reflector or DNS port${portNote} → udp_flood`,
    threshold: 'udp_pps',
  });

  pushTcpVectors(d, cfg, push);

  const icmpLeft = d.icmp.packets - fragFromIcmp;
  push({
    id: 'icmp',
    family: 'icmp_flood',
    subtype: 'icmp_flood',
    packets: icmpLeft,
    bytes: d.icmp.packets > 0 ? (d.icmp.bytes * icmpLeft) / d.icmp.packets : 0,
    rule: `ICMP ${pct(d.icmp.packets, protocolTotal(d))} of packets → icmp_flood`,
    threshold: 'icmp_pps',
  });
  push({
    id: 'gre',
    family: 'unknown',
    subtype: 'gre_flood',
    ...d.gre,
    rule: `GRE ${pct(d.gre.packets, protocolTotal(d))} of packets → gre_flood`,
  });
  push({
    id: 'other',
    family: 'unknown',
    subtype: 'ip_protocol_flood',
    ...d.other,
    rule: `other IP protocols ${pct(d.other.packets, protocolTotal(d))} of packets → ip_protocol_flood`,
  });
  return vectors;
}

function pushTcpVectors(d: TrafficDetail, cfg: ClassificationConfig, push: (v: Vector) => void): void {
  const tcp = d.tcp.packets;
  if (tcp <= 0) return;
  const f = d.tcpFlags;
  const avg = d.tcp.bytes / tcp;
  const small = Math.min(avg, SMALL_TCP_BYTES);
  let left = tcp;
  const cap = (n: number) => {
    const got = Math.min(n, left);
    left -= got;
    return got;
  };
  const tcpShare = (n: number) => `${pct(n, tcp)} of TCP packets`;
  // Flag floods whose packets carry no payload: the family list has no TCP-flag family, so they
  // are `unknown` with a precise subtype (field agents call them tcp_flood). Flag classes overlap
  // (an XMAS packet also counts as FIN, PSH and URG), so XMAS goes first and is taken out of the
  // others: an XMAS flood is not a FIN flood.
  const xmas = f.xmas;
  const flagged: [string, number, string, AttackFamily, ThresholdName | undefined][] = [
    ['syn', f.syn, 'SYN without ACK', 'syn_flood', 'syn_pps'],
    ['synack', f.synAck, 'SYN-ACK (reflected handshakes)', 'syn_flood', undefined],
    ['xmas', xmas, 'FIN+PSH+URG (XMAS)', 'unknown', undefined],
    ['rst', f.rst, 'RST', 'unknown', undefined],
    ['fin', Math.max(0, f.fin - xmas), 'FIN', 'unknown', undefined],
    ['null', f.null, 'no flag (NULL)', 'unknown', undefined],
    ['urg', Math.max(0, f.urg - xmas), 'URG', 'unknown', undefined],
  ];
  let smallBytes = 0;
  for (const [id, n, what, family, threshold] of flagged) {
    const packets = cap(n);
    smallBytes += packets * small;
    const subtype = id === 'synack' ? 'synack_flood' : `${id}_flood`;
    const v: Vector = { id, family, subtype, packets, bytes: packets * small, rule: `${what} ${tcpShare(packets)} → ${subtype}` };
    if (threshold) v.threshold = threshold;
    push(v);
  }
  const ack = cap(f.ack);
  const psh = cap(Math.max(0, f.psh - xmas));
  const rest = left;
  const bigBytes = Math.max(0, d.tcp.bytes - smallBytes);
  const bytesOf = (n: number) => (ack + psh + rest > 0 ? (bigBytes * n) / (ack + psh + rest) : 0);

  const web = httpShape(d, cfg, { ack, psh });
  if (web.isHttp) {
    push({ id: 'http', family: 'http_flood', subtype: web.subtype, packets: ack + psh, bytes: bytesOf(ack + psh), rule: web.rule, threshold: 'tcp_pps' });
  } else {
    push({ id: 'ack', family: 'unknown', subtype: 'ack_flood', packets: ack, bytes: bytesOf(ack), rule: `pure ACK ${tcpShare(ack)}${web.why} → ack_flood`, threshold: 'tcp_pps' });
    push({ id: 'psh', family: 'unknown', subtype: 'psh_ack_flood', packets: psh, bytes: bytesOf(psh), rule: `PSH-ACK ${tcpShare(psh)}${web.why} → psh_ack_flood`, threshold: 'tcp_pps' });
  }
  push({ id: 'tcp', family: 'unknown', subtype: 'tcp_flood', packets: rest, bytes: bytesOf(rest), rule: `TCP without flag detail ${tcpShare(rest)} → tcp_flood`, threshold: 'tcp_pps' });
}

/**
 * Whether established traffic to web ports is an HTTP flood. At L3/L4 an HTTP flood is requests on
 * completed handshakes, so it needs all of: most TCP to web ports and established (ACK/PSH-ACK),
 * many sources, requests (PSH segments: a request is written in one go), and conversations (each
 * source sends several packets within a tick: handshake, request, ACKs). Bare ACKs or PSH-ACKs from
 * forged sources — one packet per source, no handshake — stay flag floods, whatever the port.
 */
function httpShape(d: TrafficDetail, cfg: ClassificationConfig, n: { ack: number; psh: number }): { isHttp: true; subtype: string; rule: string } | { isHttp: false; why: string } {
  const tcp = d.tcp.packets;
  const webPorts = cfg.httpPorts.reduce((s, p) => s + portCount(d.dstPorts, p).packets, 0);
  const webShare = Math.min(1, webPorts / tcp);
  const established = (n.ack + n.psh) / tcp;
  const payload = n.psh / tcp;
  const sources = d.distinctSourcesMax;
  const perSource = d.distinctSourcesSum > 0 ? d.decodedPacketsSum / d.distinctSourcesSum : 0;
  const missing: string[] = [];
  if (webShare < 0.5) missing.push(`web ports ${pct(webPorts, tcp)} < 50%`);
  if (established < 0.5) missing.push(`established ${pct(n.ack + n.psh, tcp)} < 50%`);
  if (sources < cfg.httpMinSources) missing.push(`${Math.round(sources)} sources < ${cfg.httpMinSources}`);
  if (payload < cfg.httpMinPayloadShare) missing.push(`requests (PSH) ${pct(n.psh, tcp)} < ${pct(cfg.httpMinPayloadShare, 1)}`);
  // Sampled detail (1 in N packets decoded: sFlow, or the agent's sampler under a big flood) thins
  // every source towards one packet per tick, real or forged: there the payload rule decides alone.
  const sampled = d.decodedPacketsSum > 0 && d.packets / d.decodedPacketsSum > 1.5;
  if (!sampled && perSource < cfg.httpMinPacketsPerSource) missing.push(`${perSource.toFixed(2)} packets per source per tick < ${cfg.httpMinPacketsPerSource}: no handshakes`);
  if (missing.length > 0) return { isHttp: false, why: webShare >= 0.5 ? ` to web ports, not HTTP (${missing.join(', ')})` : '' };
  const tls = portCount(d.dstPorts, 443).packets + portCount(d.dstPorts, 8443).packets;
  const subtype = tls > webPorts / 2 ? 'https_flood' : 'http_flood';
  return {
    isHttp: true,
    subtype,
    rule: `${pct(webPorts, tcp)} of TCP to web ports ${cfg.httpPorts.join('/')}, ${pct(n.ack + n.psh, tcp)} established (ACK/PSH-ACK), requests (PSH) ${pct(n.psh, tcp)}, ${sampled ? 'sampled detail: handshakes not assessed' : `${perSource.toFixed(1)} packets per source per tick`}, ${Math.round(sources)} sources (≥ ${cfg.httpMinSources}) → ${subtype}`,
  };
}
