// Flow datagrams out of a packet capture (a pcap of UDP to a collector's ports): what
// `breakwater analyze` and the tests feed the decoder. IP fragments are not reassembled.
import { DecodedPacket, DecodeStatus, IpProto, decodePacket, formatIp, readCaptureBuffer, readCaptureFile } from '@breakwater/packets';
import type { FlowSource } from '../flow-decoder.ts';

export interface FlowDatagram {
  payload: Uint8Array;
  from: FlowSource;
  /** Destination (collector) port. */
  port: number;
  receivedAtMs: number;
}

/** UDP payloads of a capture held in memory; `ports` (if given) keeps only those destination ports. */
export function* flowDatagramsFromBuffer(bytes: Uint8Array, ports?: readonly number[]): Generator<FlowDatagram> {
  const pkt = new DecodedPacket();
  for (const rec of readCaptureBuffer(bytes)) {
    const d = toDatagram(rec.linktype, rec.buf, rec.offset, rec.caplen, rec.tsMs, pkt, ports);
    if (d !== null) yield d;
  }
}

export async function* flowDatagramsFromFile(path: string, ports?: readonly number[]): AsyncGenerator<FlowDatagram> {
  const pkt = new DecodedPacket();
  for await (const rec of readCaptureFile(path)) {
    const d = toDatagram(rec.linktype, rec.buf, rec.offset, rec.caplen, rec.tsMs, pkt, ports);
    if (d !== null) yield d;
  }
}

function toDatagram(linktype: number, buf: Uint8Array, offset: number, caplen: number, tsMs: number, pkt: DecodedPacket, ports?: readonly number[]): FlowDatagram | null {
  decodePacket(linktype, buf, offset, caplen, pkt);
  const ip = pkt.ip;
  if (pkt.status !== DecodeStatus.ok || ip.protocol !== IpProto.udp || !ip.transport || ip.fragment) return null;
  if (ports !== undefined && !ports.includes(ip.dstPort)) return null;
  return {
    // A copy: the reader reuses its buffer.
    payload: buf.slice(ip.payloadOffset, ip.payloadOffset + ip.payloadCaptured),
    from: { address: formatIp(buf, ip.srcOffset, ip.version), port: ip.srcPort },
    port: ip.dstPort,
    receivedAtMs: Math.floor(tsMs),
  };
}
