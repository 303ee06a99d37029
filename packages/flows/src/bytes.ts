// Big-endian reads on a Uint8Array. Callers check bounds first; these never allocate.

export function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

export function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** 64-bit counters as numbers: exact below 2^53, which no packet or byte count reaches. */
export function u64(b: Uint8Array, off: number): number {
  return u32(b, off) * 4294967296 + u32(b, off + 4);
}

/** An unsigned integer of 1–8 bytes (IPFIX reduced-size encoding, RFC 7011 §6.2). */
export function uint(b: Uint8Array, off: number, len: number): number {
  switch (len) {
    case 1:
      return b[off]!;
    case 2:
      return u16(b, off);
    case 4:
      return u32(b, off);
    case 8:
      return u64(b, off);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[off + i]!;
      return v;
    }
  }
}
