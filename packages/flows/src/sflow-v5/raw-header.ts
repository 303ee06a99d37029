// The sampled packet header of an sFlow raw packet header record, decoded by the packet decoder
// (packages/packets) so flags, ports, fragments and TTL come from the packet. MPLS label stacks,
// which that decoder does not walk, are popped here first.
import type { DecodedPacket} from '@breakwater/packets';
import { DecodeStatus, Linktype, decodePacket } from '@breakwater/packets';

/** sFlow header_protocol values (sFlow v5 spec, sampled_header). */
export const SflowHeaderProtocol = { ethernet: 1, ipv4: 11, ipv6: 12, mpls: 13 } as const;

const MPLS_UNICAST = 0x8847;
const MPLS_MULTICAST = 0x8848;
const MAX_LABELS = 16;

/**
 * Decodes into `pkt`; returns true when an IP header was read (pkt.ip.version 4 or 6), false
 * when the frame is not IP (pkt.status ok) or could not be read (pkt.status not ok).
 */
export function decodeSampledHeader(headerProtocol: number, b: Uint8Array, off: number, len: number, pkt: DecodedPacket): boolean {
  switch (headerProtocol) {
    case SflowHeaderProtocol.ethernet: {
      decodePacket(Linktype.ethernet, b, off, len, pkt);
      if (pkt.status === DecodeStatus.ok && (pkt.etherType === MPLS_UNICAST || pkt.etherType === MPLS_MULTICAST)) {
        const vlan0 = pkt.vlan0;
        const vlan1 = pkt.vlan1;
        const vlanCount = pkt.vlanCount;
        const inner = 14 + 4 * vlanCount;
        if (!decodeMpls(b, off + inner, len - inner, pkt)) return false;
        pkt.vlan0 = vlan0;
        pkt.vlan1 = vlan1;
        pkt.vlanCount = vlanCount;
      }
      break;
    }
    case SflowHeaderProtocol.ipv4:
      decodePacket(Linktype.ipv4, b, off, len, pkt);
      break;
    case SflowHeaderProtocol.ipv6:
      decodePacket(Linktype.ipv6, b, off, len, pkt);
      break;
    case SflowHeaderProtocol.mpls:
      if (!decodeMpls(b, off, len, pkt)) return false;
      break;
    default:
      pkt.reset(0, b, off, 0);
      return false;
  }
  // The IP layer's fields are set only once its header checked out, even if a later layer failed.
  return pkt.ip.version !== 0;
}

/** Pops labels to the bottom of the stack and decodes the IP packet under it (version nibble). */
function decodeMpls(b: Uint8Array, off: number, len: number, pkt: DecodedPacket): boolean {
  let labels = 0;
  for (;;) {
    if (len < 4 || labels >= MAX_LABELS) {
      pkt.reset(0, b, off, 0);
      pkt.status = DecodeStatus.truncated;
      return false;
    }
    const bottom = (b[off + 2]! & 0x01) !== 0;
    off += 4;
    len -= 4;
    labels++;
    if (bottom) break;
  }
  if (len < 1) {
    pkt.reset(0, b, off, 0);
    pkt.status = DecodeStatus.truncated;
    return false;
  }
  decodePacket(Linktype.raw, b, off, len, pkt);
  return true;
}
