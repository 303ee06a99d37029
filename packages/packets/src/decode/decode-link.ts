// Link layers: Ethernet (802.1Q/802.1ad/QinQ), Linux cooked capture v1/v2, BSD loopback,
// raw IP. They only find where the network layer starts and which EtherType it has.
import { DecodeStatus, Decoder, type DecodedPacket, type DecodeStatusCode } from './decoded-packet.ts';
import { fail } from './decode-fail.ts';
import { decodeIp } from './decode-ip.ts';

export const EtherType = { ipv4: 0x0800, arp: 0x0806, vlan: 0x8100, qinq: 0x88a8, ipv6: 0x86dd } as const;

/** Tags beyond this many are left undecoded (the packet counts as non-IP). */
const MAX_VLAN_TAGS = 8;

export function decodeEthernet(pkt: DecodedPacket, b: Uint8Array, off: number, end: number, depth: number): DecodeStatusCode {
  if (end - off < 14) return fail(pkt, DecodeStatus.truncated, Decoder.ethernet, depth);
  return decodeEtherTypeChain(pkt, b, off + 14, end, (b[off + 12]! << 8) | b[off + 13]!, depth, Decoder.ethernet);
}

export function decodeSll(pkt: DecodedPacket, b: Uint8Array, off: number, end: number): DecodeStatusCode {
  if (end - off < 16) return fail(pkt, DecodeStatus.truncated, Decoder.sll, 0);
  pkt.sllPacketType = (b[off]! << 8) | b[off + 1]!;
  const hatype = (b[off + 2]! << 8) | b[off + 3]!;
  // Netlink captures put a netlink family where the EtherType would be.
  if (hatype === ARPHRD_NETLINK) return DecodeStatus.ok;
  return decodeEtherTypeChain(pkt, b, off + 16, end, (b[off + 14]! << 8) | b[off + 15]!, 0, Decoder.sll);
}

export function decodeSll2(pkt: DecodedPacket, b: Uint8Array, off: number, end: number): DecodeStatusCode {
  if (end - off < 20) return fail(pkt, DecodeStatus.truncated, Decoder.sll2, 0);
  pkt.ifIndex = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  pkt.sllPacketType = b[off + 10]!;
  const hatype = (b[off + 8]! << 8) | b[off + 9]!;
  if (hatype === ARPHRD_NETLINK) return DecodeStatus.ok;
  return decodeEtherTypeChain(pkt, b, off + 20, end, (b[off]! << 8) | b[off + 1]!, 0, Decoder.sll2);
}

/** BSD loopback: a 4-byte address family, in the writer's byte order (NULL) or network order (LOOP). */
export function decodeNull(pkt: DecodedPacket, b: Uint8Array, off: number, end: number): DecodeStatusCode {
  if (end - off < 4) return fail(pkt, DecodeStatus.truncated, Decoder.null, 0);
  const family = b[off]! === 0 && b[off + 1]! === 0 ? (b[off + 2]! << 8) | b[off + 3]! : b[off]! | (b[off + 1]! << 8);
  if (family === 2) {
    pkt.etherType = EtherType.ipv4;
    return decodeIp(pkt, b, off + 4, end, 0, 4);
  }
  // AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
  if (family === 10 || family === 24 || family === 28 || family === 30) {
    pkt.etherType = EtherType.ipv6;
    return decodeIp(pkt, b, off + 4, end, 0, 6);
  }
  return DecodeStatus.ok;
}

function decodeEtherTypeChain(pkt: DecodedPacket, b: Uint8Array, off: number, end: number, type: number, depth: number, decoder: number): DecodeStatusCode {
  let tags = 0;
  while ((type === EtherType.vlan || type === EtherType.qinq || type === 0x9100 || type === 0x9200) && tags < MAX_VLAN_TAGS) {
    if (end - off < 4) return fail(pkt, DecodeStatus.truncated, decoder, depth);
    const vid = ((b[off]! << 8) | b[off + 1]!) & 0x0fff;
    if (depth === 0) {
      if (tags === 0) pkt.vlan0 = vid;
      else if (tags === 1) pkt.vlan1 = vid;
      pkt.vlanCount = tags + 1;
    }
    type = (b[off + 2]! << 8) | b[off + 3]!;
    off += 4;
    tags++;
  }
  if (depth === 0) pkt.etherType = type;
  else pkt.innerEtherType = type;
  if (type === EtherType.ipv4) return decodeIp(pkt, b, off, end, depth, 4);
  if (type === EtherType.ipv6) return decodeIp(pkt, b, off, end, depth, 6);
  return DecodeStatus.ok;
}

const ARPHRD_NETLINK = 824;
