// IPv4 and IPv6 (with extension headers), then the transport they carry. A header that
// decodes leaves its fields set even when a later layer fails, so the aggregator can
// still count the packet by protocol and source.
import {
  DecodeStatus,
  Decoder,
  ExtHeaderBit,
  IpProto,
  type DecodedPacket,
  type DecodeStatusCode,
  type IpLayer,
} from './decoded-packet.ts';
import { fail } from './decode-fail.ts';
import { decodeGre } from './decode-gre.ts';
import { decodeIcmp, decodeTcp, decodeUdp, setPayload } from './decode-transport.ts';

/** Extension headers walked before giving up; each is ≥ 8 bytes, this only bounds work. */
const MAX_EXT_HEADERS = 16;

/** Decodes the IP header at `off` into the outer (depth 0) or tunnelled (depth 1) layer. */
export function decodeIp(pkt: DecodedPacket, b: Uint8Array, off: number, end: number, depth: number, version: number): DecodeStatusCode {
  if (version === 0) {
    if (end - off < 1) return fail(pkt, DecodeStatus.truncated, Decoder.link, depth);
    version = b[off]! >> 4;
  }
  if (version === 4) return decodeIpv4(pkt, b, off, end, depth);
  if (version === 6) return decodeIpv6(pkt, b, off, end, depth);
  return fail(pkt, DecodeStatus.malformed, Decoder.link, depth);
}

export function decodeIpv4(pkt: DecodedPacket, b: Uint8Array, off: number, end: number, depth: number): DecodeStatusCode {
  const l = depth === 0 ? pkt.ip : pkt.inner;
  if (end - off < 20) return fail(pkt, DecodeStatus.truncated, Decoder.ipv4, depth);
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) return fail(pkt, DecodeStatus.malformed, Decoder.ipv4, depth);
  const ihl = (vihl & 0x0f) << 2;
  if (ihl < 20) return fail(pkt, DecodeStatus.malformed, Decoder.ipv4, depth);
  if (end - off < ihl) return fail(pkt, DecodeStatus.truncated, Decoder.ipv4, depth);
  let total = (b[off + 2]! << 8) | b[off + 3]!;
  // Zero is what TSO-offloaded outgoing packets carry on Linux captures: trust the capture.
  if (total === 0) total = end - off;
  if (total < ihl) return fail(pkt, DecodeStatus.malformed, Decoder.ipv4, depth);
  l.version = 4;
  l.offset = off;
  l.headerLength = ihl;
  l.optionsLength = ihl - 20;
  l.totalLength = total;
  l.tos = b[off + 1]!;
  l.id = (b[off + 4]! << 8) | b[off + 5]!;
  const frag = (b[off + 6]! << 8) | b[off + 7]!;
  l.dontFragment = (frag & 0x4000) !== 0;
  l.moreFragments = (frag & 0x2000) !== 0;
  l.fragmentOffset = (frag & 0x1fff) << 3;
  l.fragment = l.moreFragments || l.fragmentOffset !== 0;
  l.ttl = b[off + 8]!;
  l.protocol = b[off + 9]!;
  l.srcOffset = off + 12;
  l.dstOffset = off + 16;
  l.src4 = ((b[off + 12]! << 24) | (b[off + 13]! << 16) | (b[off + 14]! << 8) | b[off + 15]!) >>> 0;
  l.dst4 = ((b[off + 16]! << 24) | (b[off + 17]! << 16) | (b[off + 18]! << 8) | b[off + 19]!) >>> 0;
  const ipEnd = off + total < end ? off + total : end;
  return decodeTransport(pkt, l, b, off + ihl, ipEnd, total - ihl, depth);
}

export function decodeIpv6(pkt: DecodedPacket, b: Uint8Array, off: number, end: number, depth: number): DecodeStatusCode {
  const l = depth === 0 ? pkt.ip : pkt.inner;
  if (end - off < 40) return fail(pkt, DecodeStatus.truncated, Decoder.ipv6, depth);
  if (b[off]! >> 4 !== 6) return fail(pkt, DecodeStatus.malformed, Decoder.ipv6, depth);
  let payload = (b[off + 4]! << 8) | b[off + 5]!;
  // Zero means a jumbogram (hop-by-hop option) or an offloaded segment: trust the capture.
  if (payload === 0) payload = end - off - 40;
  l.version = 6;
  l.offset = off;
  l.totalLength = payload + 40;
  l.tos = ((b[off]! & 0x0f) << 4) | (b[off + 1]! >> 4);
  l.ttl = b[off + 7]!;
  l.srcOffset = off + 8;
  l.dstOffset = off + 24;
  l.id = 0;
  const ipEnd = off + 40 + payload < end ? off + 40 + payload : end;
  let next = b[off + 6]!;
  let p = off + 40;
  const limit = off + 40 + payload;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    let len: number;
    let bit: number;
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (ipEnd - p < 2) return ipv6Stop(pkt, l, next, p, limit, ipEnd, DecodeStatus.truncated, depth);
      len = (b[p + 1]! + 1) << 3;
      bit = next === 0 ? ExtHeaderBit.hopByHop : next === 43 ? ExtHeaderBit.routing : next === 60 ? ExtHeaderBit.destination : ExtHeaderBit.other;
    } else if (next === 51) {
      if (ipEnd - p < 2) return ipv6Stop(pkt, l, next, p, limit, ipEnd, DecodeStatus.truncated, depth);
      len = (b[p + 1]! + 2) << 2;
      bit = ExtHeaderBit.auth;
    } else if (next === 44) {
      if (ipEnd - p < 8) return ipv6Stop(pkt, l, next, p, limit, ipEnd, DecodeStatus.truncated, depth);
      len = 8;
      bit = ExtHeaderBit.fragment;
      const fo = (b[p + 2]! << 8) | b[p + 3]!;
      l.fragmentOffset = fo & 0xfff8;
      l.moreFragments = (fo & 1) !== 0;
      l.fragment = true;
      l.id = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    } else {
      break;
    }
    if (p + len > limit) return ipv6Stop(pkt, l, next, p, limit, ipEnd, DecodeStatus.malformed, depth);
    l.extHeaders |= 1 << bit;
    next = b[p]!;
    p += len;
    // Past a non-first fragment's header only the reassembled packet could be parsed.
    if (bit === ExtHeaderBit.fragment && l.fragmentOffset !== 0) break;
  }
  l.protocol = next;
  l.headerLength = p - off;
  l.optionsLength = p - off - 40;
  return decodeTransport(pkt, l, b, p, ipEnd, limit - p, depth);
}

function ipv6Stop(
  pkt: DecodedPacket,
  l: IpLayer,
  next: number,
  p: number,
  limit: number,
  ipEnd: number,
  status: DecodeStatusCode,
  depth: number,
): DecodeStatusCode {
  l.protocol = next;
  l.headerLength = p - l.offset;
  l.optionsLength = p - l.offset - 40;
  setPayload(l, p, limit - p, ipEnd);
  return fail(pkt, status, Decoder.ipv6, depth);
}

function decodeTransport(pkt: DecodedPacket, l: IpLayer, b: Uint8Array, off: number, end: number, declared: number, depth: number): DecodeStatusCode {
  if (l.fragmentOffset !== 0) {
    setPayload(l, off, declared, end);
    return DecodeStatus.ok;
  }
  const min = minTransportHeader(l.protocol);
  if (declared < min) {
    setPayload(l, off, declared, end);
    // A tiny first fragment may legitimately split the transport header; anything else lies.
    if (l.moreFragments) return DecodeStatus.ok;
    return fail(pkt, DecodeStatus.malformed, transportDecoder(l.protocol, l.version), depth);
  }
  switch (l.protocol) {
    case IpProto.tcp:
      return decodeTcp(pkt, l, b, off, end, declared, depth);
    case IpProto.udp:
      return decodeUdp(pkt, l, b, off, end, declared, depth);
    case IpProto.icmp:
      return decodeIcmp(pkt, l, b, off, end, declared, depth, false);
    case IpProto.icmpv6:
      return decodeIcmp(pkt, l, b, off, end, declared, depth, true);
    case IpProto.gre:
      return decodeGre(pkt, l, b, off, end, declared, depth);
    case IpProto.ipip:
    case IpProto.ipv6:
      setPayload(l, off, declared, end);
      // A first fragment of a tunnel packet is not a whole inner packet.
      if (depth !== 0 || l.moreFragments) return DecodeStatus.ok;
      return decodeIp(pkt, b, off, end, 1, l.protocol === IpProto.ipip ? 4 : 6);
    default:
      setPayload(l, off, declared, end);
      return DecodeStatus.ok;
  }
}

function minTransportHeader(protocol: number): number {
  switch (protocol) {
    case IpProto.tcp:
      return 20;
    case IpProto.udp:
      return 8;
    case IpProto.icmp:
    case IpProto.icmpv6:
    case IpProto.gre:
      return 4;
    default:
      return 0;
  }
}

function transportDecoder(protocol: number, version: number): number {
  switch (protocol) {
    case IpProto.tcp:
      return Decoder.tcp;
    case IpProto.udp:
      return Decoder.udp;
    case IpProto.icmp:
      return Decoder.icmp;
    case IpProto.icmpv6:
      return Decoder.icmpv6;
    case IpProto.gre:
      return Decoder.gre;
    default:
      return version === 4 ? Decoder.ipv4 : Decoder.ipv6;
  }
}
