// pcap writing. The encode functions write into a caller's buffer (a PCAP ring can
// append records without allocating); PcapWriter wraps them for a byte sink.
import { concatBytes } from './bytes.ts';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './capture-reader.ts';

export interface PcapHeaderOptions {
  linktype: number;
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Write big-endian (the default is little-endian, what x86 tools write). */
  bigEndian?: boolean;
}

export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

function put32(out: Uint8Array, o: number, v: number, be: boolean): void {
  if (be) {
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  } else {
    out[o] = v;
    out[o + 1] = v >>> 8;
    out[o + 2] = v >>> 16;
    out[o + 3] = v >>> 24;
  }
}

function put16(out: Uint8Array, o: number, v: number, be: boolean): void {
  out[o + (be ? 0 : 1)] = v >>> 8;
  out[o + (be ? 1 : 0)] = v;
}

/** Writes the 24-byte file header at `offset`; returns bytes written. */
export function encodePcapHeader(out: Uint8Array, offset: number, opts: PcapHeaderOptions): number {
  const be = opts.bigEndian === true;
  put32(out, offset, opts.nanosecond === true ? PCAP_MAGIC_NS : PCAP_MAGIC_US, be);
  put16(out, offset + 4, 2, be);
  put16(out, offset + 6, 4, be);
  put32(out, offset + 8, 0, be);
  put32(out, offset + 12, 0, be);
  put32(out, offset + 16, opts.snaplen ?? 262_144, be);
  put32(out, offset + 20, opts.linktype, be);
  return PCAP_HEADER_LENGTH;
}

/**
 * Writes one record (16-byte header + data) at `offset`; returns bytes written.
 * `tsFrac` is µs or ns to match the header's precision.
 */
export function encodePcapRecord(
  out: Uint8Array,
  offset: number,
  tsSec: number,
  tsFrac: number,
  data: Uint8Array,
  dataOffset: number,
  caplen: number,
  origlen: number,
  bigEndian = false,
): number {
  put32(out, offset, tsSec, bigEndian);
  put32(out, offset + 4, tsFrac, bigEndian);
  put32(out, offset + 8, caplen, bigEndian);
  put32(out, offset + 12, origlen, bigEndian);
  out.set(data.subarray(dataOffset, dataOffset + caplen), offset + 16);
  return PCAP_RECORD_HEADER_LENGTH + caplen;
}

export interface PcapPacket {
  /** Milliseconds since the epoch (fractional allowed); ignored when tsSec is given. */
  tsMs?: number;
  /** Exact time: seconds and nanoseconds (what a CaptureRecord carries). */
  tsSec?: number;
  tsNs?: number;
  data: Uint8Array;
  /** Wire length; defaults to data.length. */
  origlen?: number;
}

/** Writes packets to a sink (a file stream's write, an array push…), truncating to snaplen. */
export class PcapWriter {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #opts: PcapHeaderOptions;
  readonly #snaplen: number;
  #headerDone = false;

  constructor(write: (bytes: Uint8Array) => void, opts: PcapHeaderOptions) {
    this.#write = write;
    this.#opts = opts;
    this.#snaplen = opts.snaplen ?? 262_144;
  }

  writeHeader(): void {
    if (this.#headerDone) return;
    const h = new Uint8Array(PCAP_HEADER_LENGTH);
    encodePcapHeader(h, 0, this.#opts);
    this.#write(h);
    this.#headerDone = true;
  }

  writePacket(p: PcapPacket): void {
    this.writeHeader();
    const caplen = Math.min(p.data.length, this.#snaplen);
    const out = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + caplen);
    let sec: number;
    let ns: number;
    if (p.tsSec !== undefined) {
      sec = p.tsSec;
      ns = p.tsNs ?? 0;
    } else {
      const ms = p.tsMs ?? 0;
      sec = Math.floor(ms / 1000);
      ns = Math.min(Math.round((ms - sec * 1000) * 1e6), 999_999_999);
    }
    const frac = this.#opts.nanosecond === true ? ns : Math.floor(ns / 1000);
    encodePcapRecord(out, 0, sec, frac, p.data, 0, caplen, p.origlen ?? p.data.length, this.#opts.bigEndian === true);
    this.#write(out);
  }
}

/** A whole pcap file in memory (tests, fixtures, benchmark input). */
export function buildPcap(opts: PcapHeaderOptions, packets: Iterable<PcapPacket>): Uint8Array {
  const parts: Uint8Array[] = [];
  const w = new PcapWriter((b) => parts.push(b), opts);
  w.writeHeader();
  for (const p of packets) w.writePacket(p);
  return concatBytes(parts);
}
