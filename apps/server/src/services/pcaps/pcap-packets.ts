// Parsed packet metadata for the PCAP API: one pass over the file, keeping only the
// requested page, so memory stays bounded whatever the capture's size.
import { DecodeStatus, DecodedPacket, DECODER_NAMES, IpProto, TcpFlag, decodePacket, formatIp, readCaptureFile, type IpLayer } from '@breakwater/packets';

export interface PacketInfo {
  index: number;
  timestamp: string;
  length: number;
  captured: number;
  ip_version: number | null;
  src_ip: string | null;
  dst_ip: string | null;
  protocol: string | null;
  src_port: number | null;
  dst_port: number | null;
  ttl: number | null;
  tcp_flags: string | null;
  payload_size: number | null;
  fragment: boolean;
  tunnelled: boolean;
  decode_error: string | null;
}

const PROTOCOL_NAMES: Record<number, string> = {
  [IpProto.tcp]: 'tcp', [IpProto.udp]: 'udp', [IpProto.icmp]: 'icmp', [IpProto.icmpv6]: 'icmpv6', [IpProto.gre]: 'gre',
};
const FLAG_NAMES = Object.entries(TcpFlag) as [string, number][];

function flags(bits: number): string {
  return FLAG_NAMES.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name.toUpperCase()).join(',');
}

function describe(index: number, tsMs: number, caplen: number, origlen: number, p: DecodedPacket): PacketInfo {
  // Tunnelled traffic is shown by what it carries; the outer header says only "tunnel".
  const l: IpLayer = p.inner.version !== 0 ? p.inner : p.ip;
  const hasIp = l.version === 4 || l.version === 6;
  const ports = hasIp && l.transport && (l.protocol === IpProto.tcp || l.protocol === IpProto.udp);
  return {
    index,
    timestamp: new Date(Math.floor(tsMs)).toISOString(),
    length: origlen,
    captured: caplen,
    ip_version: hasIp ? l.version : null,
    src_ip: hasIp ? formatIp(p.buf, l.srcOffset, l.version) : null,
    dst_ip: hasIp ? formatIp(p.buf, l.dstOffset, l.version) : null,
    protocol: hasIp ? (PROTOCOL_NAMES[l.protocol] ?? String(l.protocol)) : null,
    src_port: ports ? l.srcPort : null,
    dst_port: ports ? l.dstPort : null,
    ttl: hasIp ? l.ttl : null,
    tcp_flags: hasIp && l.transport && l.protocol === IpProto.tcp ? flags(l.tcpFlags) : null,
    payload_size: hasIp && l.transport ? l.payloadLength : null,
    fragment: hasIp && l.fragment,
    tunnelled: p.inner.version !== 0,
    decode_error: p.status === DecodeStatus.ok ? null : `${DECODER_NAMES[p.errorDecoder] ?? 'decoder'}: ${p.status === DecodeStatus.truncated ? 'truncated' : 'malformed'}`,
  };
}

/**
 * Packets [offset, offset+limit) of a capture, and the total count when the pass reached
 * the end (`knownTotal` lets a caller skip the rest of the file once the page is full).
 */
export async function readPacketPage(path: string, offset: number, limit: number, knownTotal: number | null): Promise<{ packets: PacketInfo[]; total: number }> {
  const out: PacketInfo[] = [];
  const decoded = new DecodedPacket();
  let index = 0;
  for await (const rec of readCaptureFile(path)) {
    if (index >= offset && out.length < limit) {
      decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, decoded);
      out.push(describe(index, rec.tsMs, rec.caplen, rec.origlen, decoded));
    }
    index++;
    if (knownTotal !== null && out.length >= limit) return { packets: out, total: knownTotal };
  }
  return { packets: out, total: index };
}
