// pcapng Interface Description Block contents and timestamp arithmetic.

export interface PcapngInterface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per second (if_tsresol; 10^6 by default). */
  unitsPerSec: number;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSec: number;
}

/** Largest resolution whose long division below stays within 2^53. */
export const MAX_UNITS_PER_SEC = 2 ** 32;

export function readU16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

export function readU32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * Parses the IDB body `[off, end)`; returns null when if_tsresol asks for more than
 * MAX_UNITS_PER_SEC units per second.
 */
export function parseIdb(b: Uint8Array, off: number, end: number, le: boolean): PcapngInterface | null {
  const iface: PcapngInterface = { linktype: readU16(b, off, le), snaplen: readU32(b, off + 4, le), unitsPerSec: 1e6, offsetSec: 0 };
  let p = off + 8;
  while (p + 4 <= end) {
    const code = readU16(b, p, le);
    const len = readU16(b, p + 2, le);
    const v = p + 4;
    if (code === 0 || v + len > end) break;
    if (code === 9 && len >= 1) {
      const r = b[v]!;
      const exp = r & 0x7f;
      const units = (r & 0x80) !== 0 ? 2 ** exp : 10 ** exp;
      if (units > MAX_UNITS_PER_SEC) return null;
      iface.unitsPerSec = units;
    } else if (code === 14 && len >= 8) {
      // Signed 64-bit seconds; the high word only matters for absurd offsets.
      const lo = readU32(b, v + (le ? 0 : 4), le);
      const hi = readU32(b, v + (le ? 4 : 0), le) | 0;
      iface.offsetSec = hi * 2 ** 32 + lo;
    }
    p = v + ((len + 3) & ~3);
  }
  return iface;
}

/**
 * Splits a 64-bit unit count (hi, lo) into seconds and the remainder in units, by long
 * division in 16-bit steps so every intermediate stays exact below 2^53.
 * Returns seconds; the remainder is written to `rem[0]`.
 */
export function divideTimestamp(hi: number, lo: number, units: number, rem: Float64Array): number {
  const qHi = Math.floor(hi / units);
  let r = hi - qHi * units;
  let x = r * 65536 + (lo >>> 16);
  const q1 = Math.floor(x / units);
  r = x - q1 * units;
  x = r * 65536 + (lo & 0xffff);
  const q2 = Math.floor(x / units);
  rem[0] = x - q2 * units;
  return qHi * 4294967296 + q1 * 65536 + q2;
}
