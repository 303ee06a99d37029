// Payload indicators of compromise, matched with one Aho-Corasick automaton compiled to a
// dense transition table: one array read per payload byte whatever the number of
// patterns, and no backtracking an attacker could exploit.

export interface IocPattern {
  id: string;
  /** Bytes as hex ("deadbeef", spaces or colons allowed between bytes). */
  hex?: string;
  /** Bytes as an ASCII/UTF-8 substring. */
  ascii?: string;
}

/** Total pattern bytes (≈ automaton states); the table costs 1 KiB per state. */
export const MAX_IOC_STATES = 4096;
const MAX_PATTERN_BYTES = 256;

export function iocPatternBytes(p: IocPattern): Uint8Array {
  if (typeof p.id !== 'string' || p.id === '') throw new Error('IOC pattern needs a non-empty id');
  if ((p.hex === undefined) === (p.ascii === undefined)) throw new Error(`IOC pattern ${p.id}: give exactly one of hex or ascii`);
  let bytes: Uint8Array;
  if (p.hex !== undefined) {
    const clean = p.hex.replace(/[\s:]/g, '');
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(clean)) throw new Error(`IOC pattern ${p.id}: hex must be pairs of hex digits`);
    bytes = Uint8Array.from(clean.match(/../g)!, (h) => parseInt(h, 16));
  } else {
    bytes = new TextEncoder().encode(p.ascii);
  }
  if (bytes.length === 0 || bytes.length > MAX_PATTERN_BYTES) throw new Error(`IOC pattern ${p.id}: length must be 1..${MAX_PATTERN_BYTES} bytes`);
  return bytes;
}

export class IocMatcher {
  readonly ids: readonly string[];
  readonly #delta: Int32Array;
  readonly #outStart: Int32Array;
  readonly #outList: Int32Array;
  /** Per pattern: the last scan that counted it, so a packet counts once per pattern. */
  readonly #lastScan: Float64Array;
  readonly #counts: Float64Array;
  #scan = 0;

  constructor(patterns: readonly IocPattern[]) {
    const ids = patterns.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw new Error('IOC pattern ids must be unique');
    this.ids = ids;
    const encoded = patterns.map(iocPatternBytes);
    const total = encoded.reduce((n, b) => n + b.length, 1);
    if (total > MAX_IOC_STATES) throw new Error(`IOC patterns total ${total - 1} bytes; at most ${MAX_IOC_STATES - 1}`);
    // Trie: goto[] is -1 where absent until the BFS below fills in failure transitions.
    const go: number[][] = [new Array<number>(256).fill(-1)];
    const out: number[][] = [[]];
    encoded.forEach((bytes, pi) => {
      let s = 0;
      for (const c of bytes) {
        if (go[s]![c] === -1) {
          go[s]![c] = go.length;
          go.push(new Array<number>(256).fill(-1));
          out.push([]);
        }
        s = go[s]![c]!;
      }
      out[s]!.push(pi);
    });
    const fail = new Array<number>(go.length).fill(0);
    const queue: number[] = [];
    for (let c = 0; c < 256; c++) {
      const t = go[0]![c]!;
      if (t === -1) go[0]![c] = 0;
      else queue.push(t);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      out[s]!.push(...out[fail[s]!]!);
      for (let c = 0; c < 256; c++) {
        const t = go[s]![c]!;
        if (t === -1) {
          go[s]![c] = go[fail[s]!]![c]!;
        } else {
          fail[t] = go[fail[s]!]![c]!;
          queue.push(t);
        }
      }
    }
    this.#delta = new Int32Array(go.length * 256);
    go.forEach((row, s) => this.#delta.set(row, s * 256));
    this.#outStart = new Int32Array(go.length + 1);
    const flat: number[] = [];
    out.forEach((o, s) => {
      this.#outStart[s] = flat.length;
      flat.push(...new Set(o));
    });
    this.#outStart[go.length] = flat.length;
    this.#outList = Int32Array.from(flat);
    this.#lastScan = new Float64Array(patterns.length).fill(-1);
    this.#counts = new Float64Array(patterns.length);
  }

  /** Scans `b[start, end)` and counts each pattern found once. Returns patterns matched. */
  scan(b: Uint8Array, start: number, end: number): number {
    const delta = this.#delta;
    const outStart = this.#outStart;
    const scanId = this.#scan++;
    let matched = 0;
    let s = 0;
    for (let i = start; i < end; i++) {
      s = delta[(s << 8) | b[i]!]!;
      const from = outStart[s]!;
      const to = outStart[s + 1]!;
      for (let k = from; k < to; k++) {
        const p = this.#outList[k]!;
        if (this.#lastScan[p] !== scanId) {
          this.#lastScan[p] = scanId;
          this.#counts[p]! += 1;
          matched++;
        }
      }
    }
    return matched;
  }

  /** Patterns with at least one matching packet since the last reset. */
  counts(): Record<string, number> {
    const r: Record<string, number> = {};
    for (let i = 0; i < this.ids.length; i++) if (this.#counts[i]! > 0) r[this.ids[i]!] = this.#counts[i]!;
    return r;
  }

  reset(): void {
    this.#counts.fill(0);
  }
}
