// The flow decoder component: per-exporter state, and one entry point that reads a UDP payload
// of any of the four protocols (told apart by their version field) into FlowRecords.
import type { FlowDecoderLimits, FlowExporterStatus, FlowProtocol, FlowRecord } from '@breakwater/contracts';
import { ExporterState } from './exporter-state.ts';
import { checkSamplingRate, resolveFlowLimits } from './limits.ts';
import { Session, type FlowSink } from './session.ts';
import { decodeNetflowV5 } from './netflow-v5/decode-v5.ts';
import { decodeNetflowV9 } from './netflow-v9/decode-v9.ts';
import { decodeIpfix } from './ipfix/decode-ipfix.ts';
import { decodeSflowV5 } from './sflow-v5/decode-sflow.ts';
import { expirePending } from './template/pending-sets.ts';

export interface FlowClock {
  now(): number;
}

export interface FlowDecoderConfig {
  /** Used by sweep(); decode() takes its time from `receivedAtMs` so replays of captures are exact. */
  clock: FlowClock;
  limits?: Partial<FlowDecoderLimits>;
  /** Operator overrides, 1 in N, per exporter address. */
  samplingOverrides?: Readonly<Record<string, number>>;
  /**
   * Called when a decoder bug surfaces as an exception (the datagram is then counted as
   * `bad_header` and decoding goes on). Tests fail on it; the collector logs it.
   */
  onInternalError?: (err: unknown, protocol: FlowProtocol | null) => void;
}

export interface FlowSource {
  address: string;
  port: number;
}

export interface FlowDecoder {
  /** Decodes one datagram into new record objects. Never throws. */
  decode(datagram: Uint8Array, from: FlowSource, receivedAtMs: number): FlowRecord[];
  /**
   * The allocation-free form: `onRecord` gets one record object, refilled for every flow and
   * valid only during the call (copy what you keep). Returns the number of records. Never throws.
   */
  decodeEach(datagram: Uint8Array, from: FlowSource, receivedAtMs: number, onRecord: FlowSink): number;
  /** Status of every exporter seen, in first-seen order. */
  exporters(): FlowExporterStatus[];
  exporter(address: string): FlowExporterStatus | null;
  /** Sets (rate, 1 in N) or clears (null) the operator's sampling override for an exporter. */
  setSamplingOverride(exporter: string, rate: number | null): void;
  /** Drops held data sets and templates past their time (clock.now() unless given). */
  sweep(nowMs?: number): void;
  readonly limits: Readonly<FlowDecoderLimits>;
}

type ProtocolDecoder = (s: Session, b: Uint8Array) => void;

export const PROTOCOL_DECODERS: Record<FlowProtocol, ProtocolDecoder> = {
  netflow_v5: decodeNetflowV5,
  netflow_v9: decodeNetflowV9,
  ipfix: decodeIpfix,
  sflow_v5: decodeSflowV5,
};

/** The protocol a datagram claims by its first bytes, or null. */
export function sniffFlowProtocol(b: Uint8Array): FlowProtocol | null {
  if (b.length < 4) return null;
  const v = (b[0]! << 8) | b[1]!;
  if (v === 5) return 'netflow_v5';
  if (v === 9) return 'netflow_v9';
  if (v === 10) return 'ipfix';
  if (v === 0 && b[2] === 0 && b[3] === 5) return 'sflow_v5';
  return null;
}

export function createFlowDecoder(config: FlowDecoderConfig): FlowDecoder {
  const limits = resolveFlowLimits(config.limits);
  const clock = config.clock;
  const overrides = new Map<string, number>();
  for (const [address, rate] of Object.entries(config.samplingOverrides ?? {})) {
    overrides.set(address, checkSamplingRate(`samplingOverrides.${address}`, rate));
  }
  const states = new Map<string, ExporterState>();
  const session = new Session(limits);
  // Datagrams from exporters past the limit are counted here, not per exporter.
  const refused = new ExporterState('', 0);

  function stateFor(address: string, nowMs: number): ExporterState {
    let st = states.get(address);
    if (st !== undefined) return st;
    if (states.size >= limits.maxExporters) return refused;
    st = new ExporterState(address, nowMs);
    st.override = overrides.get(address) ?? null;
    states.set(address, st);
    return st;
  }

  function decodeEach(datagram: Uint8Array, from: FlowSource, receivedAtMs: number, onRecord: FlowSink): number {
    const st = stateFor(from.address, receivedAtMs);
    if (st === refused) {
      refused.errors.exporter_limit++;
      return 0;
    }
    st.datagrams++;
    if (receivedAtMs > st.lastDatagramMs) st.lastDatagramMs = receivedAtMs;
    session.exporter = st;
    session.sink = onRecord;
    session.receivedAtMs = receivedAtMs;
    session.emitted = 0;
    if (st.pending.length > 0) expirePending(session, receivedAtMs);
    const protocol = sniffFlowProtocol(datagram);
    if (protocol === null) {
      st.errors[datagram.length < 4 ? 'truncated' : 'unknown_version']++;
      return 0;
    }
    st.sawProtocol(protocol);
    try {
      PROTOCOL_DECODERS[protocol](session, datagram);
    } catch (err) {
      st.errors.bad_header++;
      config.onInternalError?.(err, protocol);
    }
    return session.emitted;
  }

  return {
    limits,
    decodeEach,
    decode(datagram, from, receivedAtMs) {
      const out: FlowRecord[] = [];
      decodeEach(datagram, from, receivedAtMs, (r) => out.push({ ...r }));
      return out;
    },
    exporters() {
      const list = [...states.values()].map((s) => s.status());
      if (refused.errors.exporter_limit > 0) list.push({ ...refused.status(), exporter: '*' });
      return list;
    },
    exporter(address) {
      return states.get(address)?.status() ?? null;
    },
    setSamplingOverride(exporter, rate) {
      if (rate === null) overrides.delete(exporter);
      else overrides.set(exporter, checkSamplingRate('rate', rate));
      const st = states.get(exporter);
      if (st !== undefined) st.override = rate;
    },
    sweep(nowMs = clock.now()) {
      for (const st of states.values()) {
        st.expireTemplates(nowMs, limits);
        if (st.pending.length > 0) {
          session.exporter = st;
          expirePending(session, nowMs);
        }
      }
    },
  };
}
