// Where packet detail comes from: one family behind one interface, so a faster native source
// can replace tcpdump later without the agent noticing. tcpdump is the real one
// (tcpdump-source.ts); tests replay packets through testing/replay-source.ts. Both run
// capture-source.contract.ts. Totals never come from here (kernel counters do).
import type { CaptureRecord } from '@breakwater/packets';

/** The capturer's own counters (null: it did not say). */
export interface CaptureStats {
  captured: number | null;
  received: number | null;
  kernelDrops: number | null;
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
