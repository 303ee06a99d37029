import { DecodeStatus, Decoder, type DecodedPacket, type DecodeStatusCode } from './decoded-packet.ts';
import { fail } from './decode-fail.ts';
import { decodeIp } from './decode-ip.ts';
import { decodeEthernet, decodeNull, decodeSll, decodeSll2 } from './decode-link.ts';
import { Linktype } from '../capture-file/linktype.ts';

/**
 * Decodes one captured frame into `out` (reset first). Never throws and never allocates:
 * malformed or cut input yields a non-zero status with `out.errorDecoder` naming the
 * layer, and every layer decoded before the error keeps its fields.
 */
export function decodePacket(linktype: number, buf: Uint8Array, offset: number, length: number, out: DecodedPacket): DecodeStatusCode {
  out.reset(linktype, buf, offset, length);
  // Clamp the caller's window to the buffer so no read can go past it.
  if (offset < 0 || length < 0 || offset > buf.length) return fail(out, DecodeStatus.truncated, Decoder.link, 0);
  const end = offset + length <= buf.length ? offset + length : buf.length;
  switch (linktype) {
    case Linktype.ethernet:
      return decodeEthernet(out, buf, offset, end, 0);
    case Linktype.linuxSll:
      return decodeSll(out, buf, offset, end);
    case Linktype.linuxSll2:
      return decodeSll2(out, buf, offset, end);
    case Linktype.raw:
    case Linktype.rawAlt12:
    case Linktype.rawAlt14:
      return decodeIp(out, buf, offset, end, 0, 0);
    case Linktype.ipv4:
      return decodeIp(out, buf, offset, end, 0, 4);
    case Linktype.ipv6:
      return decodeIp(out, buf, offset, end, 0, 6);
    case Linktype.null:
    case Linktype.loop:
      return decodeNull(out, buf, offset, end);
    default:
      return fail(out, DecodeStatus.unsupportedLinktype, Decoder.link, 0);
  }
}
