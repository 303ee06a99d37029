// GRE (RFC 2784/2890, and the PPTP variant, version 1). The carried packet is decoded
// into `pkt.inner` only one level deep: tunnels inside tunnels are counted, not walked,
// so a crafted packet cannot make us recurse.
import { DecodeStatus, Decoder, type DecodedPacket, type DecodeStatusCode, type IpLayer } from './decoded-packet.ts';
import { fail } from './decode-fail.ts';
import { decodeIp } from './decode-ip.ts';
import { decodeEthernet } from './decode-link.ts';
import { setPayload } from './decode-transport.ts';

export const GreProtocol = { ipv4: 0x0800, ipv6: 0x86dd, teb: 0x6558, ppp: 0x880b } as const;

const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;
const GRE_A = 0x0080;

export function decodeGre(pkt: DecodedPacket, l: IpLayer, b: Uint8Array, off: number, end: number, declared: number, depth: number): DecodeStatusCode {
  l.transportOffset = off;
  if (end - off < 4) return fail(pkt, DecodeStatus.truncated, Decoder.gre, depth);
  const flags = (b[off]! << 8) | b[off + 1]!;
  const version = flags & 7;
  l.greFlags = flags;
  l.greProtocol = (b[off + 2]! << 8) | b[off + 3]!;
  l.transport = true;
  let hl = 4;
  let keyAt = 0;
  if (version === 0) {
    if ((flags & (GRE_C | GRE_R)) !== 0) hl += 4;
    if ((flags & GRE_K) !== 0) {
      keyAt = off + hl;
      hl += 4;
    }
    if ((flags & GRE_S) !== 0) hl += 4;
  } else if (version === 1) {
    // PPTP: key (payload length + call id) is mandatory.
    if ((flags & GRE_K) === 0) return fail(pkt, DecodeStatus.malformed, Decoder.gre, depth);
    keyAt = off + hl;
    hl += 4;
    if ((flags & GRE_S) !== 0) hl += 4;
    if ((flags & GRE_A) !== 0) hl += 4;
  } else {
    return fail(pkt, DecodeStatus.malformed, Decoder.gre, depth);
  }
  if (hl > declared) return fail(pkt, DecodeStatus.malformed, Decoder.gre, depth);
  if (end - off < hl) return fail(pkt, DecodeStatus.truncated, Decoder.gre, depth);
  if (keyAt !== 0) l.greKey = ((b[keyAt]! << 24) | (b[keyAt + 1]! << 16) | (b[keyAt + 2]! << 8) | b[keyAt + 3]!) >>> 0;
  setPayload(l, off + hl, declared - hl, end);
  // Source-routed GRE (R bit, RFC 1701) has a variable routing list we do not walk.
  if (depth !== 0 || version !== 0 || (flags & GRE_R) !== 0 || l.moreFragments) return DecodeStatus.ok;
  const inner = off + hl;
  switch (l.greProtocol) {
    case GreProtocol.ipv4:
      pkt.innerEtherType = GreProtocol.ipv4;
      return decodeIp(pkt, b, inner, end, 1, 4);
    case GreProtocol.ipv6:
      pkt.innerEtherType = GreProtocol.ipv6;
      return decodeIp(pkt, b, inner, end, 1, 6);
    case GreProtocol.teb:
      return decodeEthernet(pkt, b, inner, end, 1);
    default:
      return DecodeStatus.ok;
  }
}
