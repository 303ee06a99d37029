// Streaming pcap / pcapng reader: push chunks cut anywhere (a pipe from `tcpdump -w -`,
// file reads), pull packets with next(). Records point into the pushed chunk when a
// packet lies whole inside it; only a packet straddling two chunks is copied (into one
// reused scratch buffer). Every length comes from the file, so each is bounded before
// anything is buffered, and every step consumes bytes: no input can loop forever.
import { CaptureError, type CaptureErrorCode } from './capture-error.ts';
import type { CaptureRecord } from './capture-record.ts';
import { divideTimestamp, parseIdb, readU16, readU32, type PcapngInterface } from './pcapng-interface.ts';

/** libpcap's MAXIMUM_SNAPLEN: larger records are refused unless the header's snaplen is larger. */
export const MAX_CAPLEN = 262_144;
/** Blocks we must hold whole (SHB, IDB, packets); larger unknown blocks are skipped as they stream by. */
export const MAX_BLOCK = 4 * 1024 * 1024;

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

export type CaptureFormat = 'unknown' | 'pcap' | 'pcapng';

export class CaptureReader {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  #scratch: Uint8Array = new Uint8Array(0);
  /** Bytes consumed before `#buf[0]`: for error offsets. */
  #base = 0;
  #skip = 0;
  #ended = false;
  #error: CaptureError | null = null;
  #format: CaptureFormat = 'unknown';
  #le = false;
  #nanos = false;
  #linktype = -1;
  #snaplen = 0;
  #maxCaplen = MAX_CAPLEN;
  #ifaces: PcapngInterface[] = [];
  #packets = 0;
  readonly #rem = new Float64Array(1);

  get format(): CaptureFormat {
    return this.#format;
  }
  /** The pcap header's linktype, or the first pcapng interface's (-1 until known). */
  get linktype(): number {
    return this.#linktype;
  }
  get snaplen(): number {
    return this.#snaplen;
  }
  /** pcap: whether timestamps are in nanoseconds. */
  get nanosecond(): boolean {
    return this.#nanos;
  }
  get packets(): number {
    return this.#packets;
  }
  get interfaces(): readonly PcapngInterface[] {
    return this.#ifaces;
  }
  /** Set once the input is unusable; next() then returns false for good. */
  get error(): CaptureError | null {
    return this.#error;
  }
  /** True when end() was called and every packet has been read (or an error stopped reading). */
  get done(): boolean {
    return this.#error !== null || (this.#ended && this.#end - this.#pos === 0);
  }

  push(chunk: Uint8Array): void {
    if (this.#error !== null || chunk.length === 0) return;
    if (this.#ended) {
      this.#fail('reader-closed', 'data pushed after end()');
      return;
    }
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, chunk.length);
      this.#skip -= n;
      this.#base += n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    const rem = this.#end - this.#pos;
    if (rem === 0) {
      this.#base += this.#end;
      this.#buf = chunk;
      this.#pos = 0;
      this.#end = chunk.length;
      return;
    }
    const need = rem + chunk.length;
    let s = this.#scratch;
    if (this.#buf === s && s.length >= need) {
      s.copyWithin(0, this.#pos, this.#end);
    } else {
      if (s.length < need) s = new Uint8Array(Math.max(need, s.length * 2, 65_536));
      s.set(this.#buf.subarray(this.#pos, this.#end), 0);
    }
    s.set(chunk, rem);
    this.#base += this.#pos;
    this.#scratch = s;
    this.#buf = s;
    this.#pos = 0;
    this.#end = need;
  }

  /** No more input: leftover bytes become a `truncated` error. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#error !== null) return;
    if (this.#format === 'unknown' && this.#end - this.#pos === 0 && this.#base === 0) {
      this.#fail('empty', 'capture is empty');
    }
  }

  /** Fills `rec` with the next packet; false when more input is needed, at the end, or on error. */
  next(rec: CaptureRecord): boolean {
    if (this.#error !== null) return false;
    if (this.#format === 'unknown' && !this.#readFileHeader()) return this.#stall();
    if (this.#format === 'pcap') return this.#nextPcap(rec) || this.#stall();
    while (this.#error === null) {
      const r = this.#nextBlock(rec);
      if (r === 1) return true;
      if (r === 0) break;
    }
    return this.#stall();
  }

  /** At the end of input, leftover bytes mean a cut record. */
  #stall(): false {
    const rem = this.#end - this.#pos;
    if (this.#ended && this.#error === null && (rem > 0 || this.#skip > 0)) {
      this.#fail('truncated', `capture ends inside a ${this.#format === 'unknown' ? 'file header' : 'record'} (${rem} bytes left)`);
    }
    return false;
  }

  #fail(code: CaptureErrorCode, message: string): void {
    if (this.#error === null) this.#error = new CaptureError(code, message, this.#base + this.#pos);
  }

  #readFileHeader(): boolean {
    const b = this.#buf;
    const p = this.#pos;
    if (this.#end - p < 4) return false;
    const be = readU32(b, p, false);
    const le = readU32(b, p, true);
    if (be === PCAPNG_SHB) {
      this.#format = 'pcapng';
      return true;
    }
    let magic: number;
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      this.#le = false;
      magic = be;
    } else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
      this.#le = true;
      magic = le;
    } else {
      this.#fail('bad-magic', `not a pcap or pcapng capture (magic 0x${be.toString(16).padStart(8, '0')})`);
      return false;
    }
    if (this.#end - p < 24) return false;
    const major = readU16(b, p + 4, this.#le);
    if (major !== 2) {
      this.#fail('unsupported-version', `pcap version ${major} is not 2`);
      return false;
    }
    this.#nanos = magic === PCAP_MAGIC_NS;
    this.#snaplen = readU32(b, p + 16, this.#le);
    // The upper 16 bits hold FCS information, not the link type.
    this.#linktype = readU32(b, p + 20, this.#le) & 0xffff;
    this.#maxCaplen = Math.min(Math.max(MAX_CAPLEN, this.#snaplen), MAX_BLOCK);
    this.#format = 'pcap';
    this.#pos = p + 24;
    return true;
  }

  #nextPcap(rec: CaptureRecord): boolean {
    const b = this.#buf;
    const p = this.#pos;
    if (this.#end - p < 16) return false;
    const le = this.#le;
    const caplen = readU32(b, p + 8, le);
    if (caplen > this.#maxCaplen) {
      this.#fail('record-too-large', `record caplen ${caplen} exceeds the limit ${this.#maxCaplen}`);
      return false;
    }
    if (this.#end - p < 16 + caplen) return false;
    const sec = readU32(b, p, le);
    const frac = readU32(b, p + 4, le);
    rec.linktype = this.#linktype;
    rec.interfaceId = 0;
    setTime(rec, sec, this.#nanos ? frac : frac * 1000);
    rec.caplen = caplen;
    rec.origlen = readU32(b, p + 12, le);
    rec.buf = b;
    rec.offset = p + 16;
    this.#pos = p + 16 + caplen;
    this.#packets++;
    return true;
  }

  /** 1: a packet was produced; 0: need more input or failed; 2: a block was consumed, go on. */
  #nextBlock(rec: CaptureRecord): number {
    const b = this.#buf;
    const p = this.#pos;
    if (this.#end - p < 8) return 0;
    const isShb = readU32(b, p, false) === PCAPNG_SHB;
    if (isShb) {
      if (this.#end - p < 12) return 0;
      const bom = readU32(b, p + 8, false);
      if (bom === PCAPNG_BOM) this.#le = false;
      else if (readU32(b, p + 8, true) === PCAPNG_BOM) this.#le = true;
      else {
        this.#fail('bad-magic', 'pcapng section header has no byte-order magic');
        return 0;
      }
    }
    const le = this.#le;
    const type = readU32(b, p, le);
    const len = readU32(b, p + 4, le);
    if (len < 12 || len % 4 !== 0 || (isShb && len < 28)) {
      this.#fail('bad-block-length', `pcapng block type 0x${type.toString(16)} has length ${len}`);
      return 0;
    }
    const held = isShb || type === BLOCK_IDB || type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
    if (!held) {
      // Unknown or uninteresting block: drop it as it streams by, whatever its size.
      const avail = this.#end - p;
      if (avail >= len) {
        this.#pos = p + len;
      } else {
        this.#pos = this.#end;
        this.#skip = len - avail;
      }
      return 2;
    }
    if (len > MAX_BLOCK) {
      this.#fail('record-too-large', `pcapng block type 0x${type.toString(16)} of ${len} bytes exceeds ${MAX_BLOCK}`);
      return 0;
    }
    if (this.#end - p < len) return 0;
    if (readU32(b, p + len - 4, le) !== len) {
      this.#fail('bad-block-length', `pcapng block type 0x${type.toString(16)}: trailing length differs from ${len}`);
      return 0;
    }
    this.#pos = p + len;
    const bodyEnd = p + len - 4;
    if (isShb) {
      const major = readU16(b, p + 12, le);
      if (major !== 1) {
        this.#fail('unsupported-version', `pcapng version ${major} is not 1`);
        return 0;
      }
      this.#ifaces = [];
      return 2;
    }
    if (this.#format !== 'pcapng') return 2;
    if (type === BLOCK_IDB) return this.#readIdb(b, p, bodyEnd, le);
    return this.#readPacketBlock(rec, b, p, bodyEnd, type, le);
  }

  #readIdb(b: Uint8Array, p: number, bodyEnd: number, le: boolean): number {
    if (bodyEnd - (p + 8) < 8) {
      this.#fail('bad-block-length', 'pcapng interface block too short');
      return 0;
    }
    const iface = parseIdb(b, p + 8, bodyEnd, le);
    if (iface === null) {
      this.#fail('unsupported-tsresol', 'pcapng if_tsresol finer than 2^-32 s');
      return 0;
    }
    this.#ifaces.push(iface);
    if (this.#linktype < 0) {
      this.#linktype = iface.linktype;
      this.#snaplen = iface.snaplen;
    }
    return 2;
  }

  #readPacketBlock(rec: CaptureRecord, b: Uint8Array, p: number, bodyEnd: number, type: number, le: boolean): number {
    let ifId: number;
    let caplen: number;
    let origlen: number;
    let data: number;
    let hi = 0;
    let lo = 0;
    if (type === BLOCK_SPB) {
      if (bodyEnd - p < 12) return this.#badPacketBlock(type);
      ifId = 0;
      origlen = readU32(b, p + 8, le);
      data = p + 12;
      caplen = Math.min(origlen, bodyEnd - data);
    } else {
      if (bodyEnd - p < 28) return this.#badPacketBlock(type);
      ifId = type === BLOCK_EPB ? readU32(b, p + 8, le) : readU16(b, p + 8, le);
      hi = readU32(b, p + 12, le);
      lo = readU32(b, p + 16, le);
      caplen = readU32(b, p + 20, le);
      origlen = readU32(b, p + 24, le);
      data = p + 28;
      if (caplen > bodyEnd - data) return this.#badPacketBlock(type);
    }
    const iface = this.#ifaces[ifId];
    if (iface === undefined) {
      this.#fail('unknown-interface', `pcapng packet refers to interface ${ifId}, ${this.#ifaces.length} defined`);
      return 0;
    }
    if (type === BLOCK_SPB && iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    rec.linktype = iface.linktype;
    rec.interfaceId = ifId;
    if (type === BLOCK_SPB) {
      setTime(rec, 0, 0);
    } else {
      const sec = divideTimestamp(hi, lo, iface.unitsPerSec, this.#rem);
      setTime(rec, sec + iface.offsetSec, Math.floor((this.#rem[0]! * 1e9) / iface.unitsPerSec));
    }
    rec.caplen = caplen;
    rec.origlen = origlen;
    rec.buf = b;
    rec.offset = data;
    this.#packets++;
    return 1;
  }

  #badPacketBlock(type: number): number {
    this.#fail('bad-block-length', `pcapng packet block type ${type} is shorter than its captured length`);
    return 0;
  }
}

function setTime(rec: CaptureRecord, sec: number, ns: number): void {
  // pcap writers sometimes leave µs ≥ 10^6; carry instead of reporting a bogus fraction.
  if (ns >= 1e9) {
    const carry = Math.floor(ns / 1e9);
    sec += carry;
    ns -= carry * 1e9;
  }
  rec.tsSec = sec;
  rec.tsNs = ns;
  rec.tsMs = sec * 1000 + ns / 1e6;
}
