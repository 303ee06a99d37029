import type { DecodedPacket, DecodeStatusCode } from './decoded-packet.ts';

/** Records the first error of a packet; later layers never overwrite it. */
export function fail(pkt: DecodedPacket, status: DecodeStatusCode, decoder: number, depth: number): DecodeStatusCode {
  if (pkt.status === 0) {
    pkt.status = status;
    pkt.errorDecoder = decoder;
    pkt.errorDepth = depth;
  }
  return status;
}
