// TCP, UDP, ICMP and ICMPv6 over one IpLayer. `end` is where readable bytes stop
// (capture end or IP end, whichever is first); `declared` is what the IP header says the
// transport segment holds. Both are untrusted and are checked against each other.
import { DecodeStatus, Decoder, type DecodedPacket, type DecodeStatusCode, type IpLayer } from './decoded-packet.ts';
import { fail } from './decode-fail.ts';

export function decodeTcp(pkt: DecodedPacket, l: IpLayer, b: Uint8Array, off: number, end: number, declared: number, depth: number): DecodeStatusCode {
  l.transportOffset = off;
  if (end - off < 20) return fail(pkt, DecodeStatus.truncated, Decoder.tcp, depth);
  l.srcPort = (b[off]! << 8) | b[off + 1]!;
  l.dstPort = (b[off + 2]! << 8) | b[off + 3]!;
  l.tcpSeq = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  l.tcpAck = ((b[off + 8]! << 24) | (b[off + 9]! << 16) | (b[off + 10]! << 8) | b[off + 11]!) >>> 0;
  const hl = (b[off + 12]! >> 4) << 2;
  l.tcpFlags = ((b[off + 12]! & 1) << 8) | b[off + 13]!;
  l.tcpWindow = (b[off + 14]! << 8) | b[off + 15]!;
  l.tcpHeaderLength = hl;
  l.transport = true;
  // A first fragment may end inside the options; only the reassembled packet has them all.
  if (hl < 20 || (hl > declared && !l.moreFragments)) return fail(pkt, DecodeStatus.malformed, Decoder.tcp, depth);
  l.tcpOptionsLength = hl - 20;
  setPayload(l, off + hl, declared - hl, end);
  if (end - off < hl && hl <= declared) return fail(pkt, DecodeStatus.truncated, Decoder.tcp, depth);
  return DecodeStatus.ok;
}

export function decodeUdp(pkt: DecodedPacket, l: IpLayer, b: Uint8Array, off: number, end: number, declared: number, depth: number): DecodeStatusCode {
  l.transportOffset = off;
  if (end - off < 8) return fail(pkt, DecodeStatus.truncated, Decoder.udp, depth);
  l.srcPort = (b[off]! << 8) | b[off + 1]!;
  l.dstPort = (b[off + 2]! << 8) | b[off + 3]!;
  const len = (b[off + 4]! << 8) | b[off + 5]!;
  l.udpLength = len;
  l.transport = true;
  // A first fragment's UDP length covers the whole datagram, not this fragment.
  if (len < 8 || (len > declared && !l.moreFragments)) {
    setPayload(l, off + 8, declared - 8, end);
    return fail(pkt, DecodeStatus.malformed, Decoder.udp, depth);
  }
  setPayload(l, off + 8, (len < declared ? len : declared) - 8, end);
  return DecodeStatus.ok;
}

/** ICMP and ICMPv6 share the layout we need: type, code, checksum, 4 bytes of rest-of-header. */
export function decodeIcmp(pkt: DecodedPacket, l: IpLayer, b: Uint8Array, off: number, end: number, declared: number, depth: number, v6: boolean): DecodeStatusCode {
  l.transportOffset = off;
  if (end - off < 4) return fail(pkt, DecodeStatus.truncated, v6 ? Decoder.icmpv6 : Decoder.icmp, depth);
  l.icmpType = b[off]!;
  l.icmpCode = b[off + 1]!;
  l.transport = true;
  const hl = declared < 8 ? declared : 8;
  setPayload(l, off + hl, declared - hl, end);
  return DecodeStatus.ok;
}

export function setPayload(l: IpLayer, start: number, declared: number, end: number): void {
  l.payloadOffset = start;
  l.payloadLength = declared > 0 ? declared : 0;
  const avail = end - start;
  l.payloadCaptured = avail <= 0 ? 0 : avail < l.payloadLength ? avail : l.payloadLength;
}
