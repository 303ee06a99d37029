// An independent decoder for the agreement tests: tshark's cflow (NetFlow/IPFIX) and sflow
// dissectors, read from its JSON output. Each flow (or sFlow sample) becomes the same small
// shape the tests build from our FlowRecords, in datagram order.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '@breakwater/contracts';
import { buildPcap } from '@breakwater/packets';
import { ethernet, ipv4, udp } from '@breakwater/packets/testing';
import { flowDatagramsFromBuffer } from '../capture/flow-datagrams.ts';

export interface ComparableFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  packets: number;
  bytes: number;
  tcpFlags: number;
}

type Tree = Record<string, unknown>;

function tsharkJson(file: string, port: number, dissector: 'cflow' | 'sflow'): Tree[] {
  const out = execFileSync('tshark', ['-r', file, '-d', `udp.port==${port},${dissector}`, '-T', 'json'], {
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out.toString('utf8')) as Array<{ _source: { layers: Tree } }>).map((p) => p._source.layers);
}

/** The first value of a field anywhere under `tree`, depth first. */
function find(tree: unknown, key: string): string | undefined {
  if (tree === null || typeof tree !== 'object') return undefined;
  for (const [k, v] of Object.entries(tree as Tree)) {
    if (k === key && typeof v === 'string') return v;
  }
  for (const v of Object.values(tree as Tree)) {
    const hit = find(v, key);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Subtrees whose key matches, in document order, not descending into a match. */
function subtrees(tree: unknown, match: RegExp, out: Tree[] = []): Tree[] {
  if (tree === null || typeof tree !== 'object') return out;
  for (const [k, v] of Object.entries(tree as Tree)) {
    if (match.test(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Tree);
    else subtrees(v, match, out);
  }
  return out;
}

const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));

/**
 * The capture with each NetFlow v9 header's record count set to its maximum. softflowd and pmacctd
 * count only flow records there (RFC 3954 counts template and options records too) and tshark
 * stops reading a packet at that count; the decoders here walk FlowSets by their lengths.
 */
function withV9CountOpen(file: string): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-flows-tshark-'));
  const frames = [...flowDatagramsFromBuffer(readFileSync(file))].map((d) => {
    const payload = d.payload.slice();
    if (payload[0] === 0 && payload[1] === 9) payload.set([0xff, 0xff], 2);
    const from = d.from.address.includes(':') ? '127.0.0.1' : d.from.address;
    return { tsSec: Math.floor(d.receivedAtMs / 1000), tsNs: (d.receivedAtMs % 1000) * 1e6, data: ethernet(0x0800, ipv4({ src: from, dst: '127.0.0.1', protocol: 17, payload: udp(d.from.port, d.port, payload) })) };
  });
  const path = join(dir, 'open-count.pcap');
  writeFileSync(path, buildPcap({ linktype: 1 }, frames));
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** NetFlow v5/v9 and IPFIX flows as tshark decodes them (data records; options records skipped). */
export function tsharkCflowRecords(file: string, port: number): ComparableFlow[] {
  const flows: ComparableFlow[] = [];
  const open = withV9CountOpen(file);
  let packets: Tree[];
  try {
    packets = tsharkJson(open.path, port, 'cflow');
  } finally {
    open.done();
  }
  for (const layers of packets) {
    for (const f of subtrees(layers.cflow, /^(Flow \d+|pdu \d+\/\d+)$/)) {
      const src = (f['cflow.srcaddr'] ?? f['cflow.srcaddrv6']) as string | undefined;
      if (src === undefined) continue;
      const icmp = (f['cflow.icmp_type_code_ipv4'] ?? f['cflow.icmp_type_code_ipv6']) as string | undefined;
      flows.push({
        src,
        dst: (f['cflow.dstaddr'] ?? f['cflow.dstaddrv6']) as string,
        srcPort: num(f['cflow.srcport'] as string | undefined),
        dstPort: icmp !== undefined ? Number(icmp) : num(f['cflow.dstport'] as string | undefined),
        protocol: num(f['cflow.protocol'] as string | undefined),
        packets: num((f['cflow.packets'] ?? f['cflow.packets64']) as string | undefined),
        bytes: num((f['cflow.octets'] ?? f['cflow.octets64']) as string | undefined),
        tcpFlags: num(f['cflow.tcpflags'] as string | undefined),
      });
    }
  }
  return flows;
}

/** sFlow flow samples with a raw packet header, decoded by tshark's own packet dissectors. */
export function tsharkSflowRecords(file: string, port: number): Array<ComparableFlow & { rate: number; ttl: number; vlan: number }> {
  const flows: Array<ComparableFlow & { rate: number; ttl: number; vlan: number }> = [];
  for (const layers of tsharkJson(file, port, 'sflow')) {
    for (const sample of subtrees(layers.sflow, /^(Expanded )?[Ff]low sample/)) {
      const header = subtrees(sample, /^sflow_245\.header_tree$/)[0];
      if (header === undefined) continue;
      const ip = header;
      const v4 = find(ip, 'ip.src');
      // IPv6 extension headers (MLD's hop-by-hop) come first in ipv6.nxt: name the transport by its layer.
      const v6proto = find(ip, 'icmpv6.type') !== undefined ? 58 : find(ip, 'tcp.srcport') !== undefined ? 6 : find(ip, 'udp.srcport') !== undefined ? 17 : undefined;
      const protocol = num(find(ip, 'ip.proto')) || (v6proto ?? num(find(ip, 'ipv6.nxt')));
      const tcp = protocol === 6;
      const icmpType = find(ip, 'icmp.type') ?? find(ip, 'icmpv6.type');
      flows.push({
        src: v4 ?? find(ip, 'ipv6.src') ?? '',
        dst: find(ip, 'ip.dst') ?? find(ip, 'ipv6.dst') ?? '',
        srcPort: num(tcp ? find(ip, 'tcp.srcport') : find(ip, 'udp.srcport')),
        dstPort: icmpType !== undefined ? (num(icmpType) << 8) | num(find(ip, 'icmp.code') ?? find(ip, 'icmpv6.code')) : num(tcp ? find(ip, 'tcp.dstport') : find(ip, 'udp.dstport')),
        protocol,
        packets: 1,
        bytes: num(find(sample, 'sflow_245.header.frame_length')),
        tcpFlags: tcp ? num(find(ip, 'tcp.flags')) : 0,
        rate: num(find(sample, 'sflow.flow_sample.sampling_rate')),
        ttl: num(find(ip, 'ip.ttl') ?? find(ip, 'ipv6.hlim')),
        vlan: num(find(ip, 'vlan.id')),
      });
    }
  }
  return flows;
}

/** Our records in the same shape, raw (unscaled) counts. */
export function comparable(r: FlowRecord): ComparableFlow {
  return { src: r.srcAddr, dst: r.dstAddr, srcPort: r.srcPort, dstPort: r.dstPort, protocol: r.ipProtocol, packets: r.packetsRaw, bytes: r.bytesRaw, tcpFlags: r.tcpFlags };
}
