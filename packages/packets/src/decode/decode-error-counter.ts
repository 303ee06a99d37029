import { DECODER_NAMES, type DecodedPacket, type DecoderName } from './decoded-packet.ts';

/** Cumulative decode errors by decoder, the source of `decode_errors_total{decoder}`. */
export class DecodeErrorCounter {
  readonly #counts = new Float64Array(DECODER_NAMES.length);

  /** Counts the packet if its decode failed; returns whether it did. */
  count(pkt: DecodedPacket): boolean {
    if (pkt.status === 0) return false;
    this.#counts[pkt.errorDecoder]! += 1;
    return true;
  }

  total(): number {
    let t = 0;
    for (const c of this.#counts) t += c;
    return t;
  }

  /** Decoders with at least one error. */
  byDecoder(): Partial<Record<DecoderName, number>> {
    const out: Partial<Record<DecoderName, number>> = {};
    for (let i = 0; i < DECODER_NAMES.length; i++) {
      const c = this.#counts[i]!;
      if (c > 0) out[DECODER_NAMES[i]!] = c;
    }
    return out;
  }
}
