// Builds pcapng bytes block by block for tests and fuzz seeds (no pcapng writer is needed
// on the hot path: the agent's ring writes pcap).

import { concatBytes } from '../capture-file/bytes.ts';
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export class PcapngBuilder {
  readonly #le: boolean;
  readonly #parts: Uint8Array[] = [];

  constructor(littleEndian = true) {
    this.#le = littleEndian;
  }

  #u16(v: number): Uint8Array {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, this.#le);
    return b;
  }

  #u32(v: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, this.#le);
    return b;
  }

  #options(opts: PcapngOption[]): Uint8Array[] {
    if (opts.length === 0) return [];
    const out: Uint8Array[] = [];
    for (const o of opts) out.push(this.#u16(o.code), this.#u16(o.value.length), pad4(o.value));
    out.push(new Uint8Array(4));
    return out;
  }

  /** Appends a block with a correct total length in both places. */
  block(type: number, body: Uint8Array[]): this {
    const content = concatBytes(body);
    const len = 12 + content.length;
    this.#parts.push(this.#u32(type), this.#u32(len), content, this.#u32(len));
    return this;
  }

  shb(): this {
    return this.block(0x0a0d0d0a, [this.#u32(0x1a2b3c4d), this.#u16(1), this.#u16(0), new Uint8Array(8).fill(0xff)]);
  }

  /** tsresol: the if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n). */
  idb(linktype: number, snaplen = 262_144, tsresol?: number, tsoffsetSec?: number): this {
    const opts: PcapngOption[] = [];
    if (tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(tsresol) });
    if (tsoffsetSec !== undefined) {
      const v = new Uint8Array(8);
      new DataView(v.buffer).setBigInt64(0, BigInt(tsoffsetSec), this.#le);
      opts.push({ code: 14, value: v });
    }
    return this.block(1, [this.#u16(linktype), this.#u16(0), this.#u32(snaplen), ...this.#options(opts)]);
  }

  /** `units` is the timestamp in the interface's resolution. */
  epb(ifId: number, units: bigint, data: Uint8Array, origlen = data.length): this {
    return this.block(6, [
      this.#u32(ifId),
      this.#u32(Number(units >> 32n)),
      this.#u32(Number(units & 0xffffffffn)),
      this.#u32(data.length),
      this.#u32(origlen),
      pad4(data),
      ...this.#options([{ code: 1, value: new TextEncoder().encode('comment') }]),
    ]);
  }

  spb(data: Uint8Array, origlen = data.length): this {
    return this.block(3, [this.#u32(origlen), pad4(data)]);
  }

  bytes(): Uint8Array {
    return concatBytes(this.#parts);
  }
}

function pad4(b: Uint8Array): Uint8Array {
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}


