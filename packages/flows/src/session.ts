// The state one decode() call works with: the exporter, the one record refilled for every flow,
// and where finished records go. Protocol decoders fill `record` after begin() and call emit().
import type { FlowDecodeError, FlowDecoderLimits, FlowProtocol, FlowRecord, FlowSamplingSource } from '@breakwater/contracts';
import type { ExporterState } from './exporter-state.ts';

export type FlowSink = (record: FlowRecord) => void;

export function emptyRecord(): FlowRecord {
  return {
    protocol: 'netflow_v5',
    exporter: '',
    agent: '',
    domain: 0,
    ipVersion: 0,
    srcAddr: '',
    dstAddr: '',
    srcPort: 0,
    dstPort: 0,
    ipProtocol: 0,
    tcpFlags: 0,
    packetsRaw: 0,
    bytesRaw: 0,
    packets: 0,
    bytes: 0,
    samplingRate: 1,
    startMs: 0,
    endMs: 0,
    inputIf: 0,
    outputIf: 0,
    vlan: 0,
    tos: 0,
    fragment: false,
    ttl: 0,
    receivedAtMs: 0,
  };
}

export class Session {
  readonly limits: FlowDecoderLimits;
  readonly record: FlowRecord = emptyRecord();
  exporter!: ExporterState;
  sink: FlowSink = () => {};
  receivedAtMs = 0;
  emitted = 0;

  constructor(limits: FlowDecoderLimits) {
    this.limits = limits;
  }

  /** Resets the record for the next flow. */
  begin(protocol: FlowProtocol, agent: string, domain: number, receivedAtMs: number): FlowRecord {
    const r = this.record;
    r.protocol = protocol;
    r.exporter = this.exporter.address;
    r.agent = agent;
    r.domain = domain;
    r.ipVersion = 0;
    r.srcAddr = '';
    r.dstAddr = '';
    r.srcPort = 0;
    r.dstPort = 0;
    r.ipProtocol = 0;
    r.tcpFlags = 0;
    r.packetsRaw = 0;
    r.bytesRaw = 0;
    r.startMs = receivedAtMs;
    r.endMs = receivedAtMs;
    r.inputIf = 0;
    r.outputIf = 0;
    r.vlan = 0;
    r.tos = 0;
    r.fragment = false;
    r.ttl = 0;
    r.receivedAtMs = receivedAtMs;
    return r;
  }

  /** Scales the record by the rate in force (the operator's override wins) and hands it on. */
  emit(rate: number, source: FlowSamplingSource): void {
    const ex = this.exporter;
    if (ex.override !== null) {
      rate = ex.override;
      source = 'override';
    } else if (!(rate >= 1)) {
      rate = 1;
      source = 'none';
    }
    const r = this.record;
    r.samplingRate = rate;
    r.packets = r.packetsRaw * rate;
    r.bytes = r.bytesRaw * rate;
    ex.records++;
    ex.samplingRate = rate;
    ex.samplingSource = source;
    this.emitted++;
    this.sink(r);
  }

  fail(reason: FlowDecodeError): void {
    this.exporter.errors[reason]++;
  }
}
