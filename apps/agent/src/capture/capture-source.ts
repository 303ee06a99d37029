// Where packet detail comes from: one family behind one interface, so a faster native source
// can replace tcpdump later without the agent noticing. tcpdump is the real one
// (tcpdump-source.ts); tests replay packets through testing/replay-source.ts. Both run
// capture-source.contract.ts. Totals never come from here (kernel counters do).
import type { CaptureRecord } from '@breakwater/packets';

/**
 * The capturer's own counters (null: it did not say). Every packet the filter passed is in one
 * of: `captured` (handed over), `kernelDrops` (the kernel's buffer was full), or `inFlight`
 * (passed the filter, still in the kernel's ring or the capturer's buffer when it counted; at a
 * stop, never handed over). `received` = `captured` + `kernelDrops` + `inFlight`. `read` is what
 * the agent itself decoded from the capturer (after a stop it equals `captured`).
 */
export interface CaptureStats {
  captured: number | null;
  received: number | null;
  kernelDrops: number | null;
  inFlight?: number | null;
  read?: number | null;
}

/** One line for the log: every filtered packet accounted for. */
export function formatCaptureStats(s: CaptureStats): string {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? '?' : String(v));
  return `${n(s.received)} received by filter = ${n(s.captured)} captured + ${n(s.kernelDrops)} dropped by kernel + ${n(s.inFlight)} in flight; ${n(s.read)} read by the agent`;
}

export interface CaptureHandlers {
  /** One packet; the record is reused after the call returns (copy what you keep). */
  onRecord: (rec: CaptureRecord) => void;
  onError: (err: Error) => void;
}

export interface CaptureSource {
  /** Resolves once packets flow (or rejects saying why they cannot). */
  start(): Promise<void>;
  /** The capturer's counters so far, or null if it does not answer in time. */
  stats(): Promise<CaptureStats | null>;
  /** Stops capturing; resolves with the final counters when the capturer reports them. */
  stop(): Promise<CaptureStats>;
}

export interface CaptureSourceOptions {
  iface: string;
  /** Bytes kept per packet: headers and the start of the payload (IOC patterns). */
  snaplen?: number;
  /** Traffic to leave out, e.g. the agent's own connection to the server. */
  exclude?: { host: string; port: number }[];
}

/** Made when the agent starts, once the traffic to leave out is resolved. */
export type CaptureSourceFactory = (o: CaptureSourceOptions, h: CaptureHandlers) => CaptureSource | Promise<CaptureSource>;
