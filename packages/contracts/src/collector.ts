// The flow collector's words on the wire: what a collector tells the server (its networks; its
// exporters' status and per-host top talkers) and what the REST API shows of them. Per-host
// metrics and incidents go through the agent API unchanged, naming the host in FLOW_HOST_HEADER.
import { Type, type Static } from 'typebox';

export { FLOW_HOST_HEADER } from './headers.ts';
import { MetricSample } from './agent.ts';
import { IsoTime, Uuid } from './common.ts';
import { FLOW_DECODE_ERRORS, FLOW_PROTOCOLS, FLOW_SAMPLING_SOURCES } from './flows.ts';


/** The UDP listeners a collector runs: one per protocol family (IPFIX shares the NetFlow port unless given its own). */
export const COLLECTOR_LISTENERS = ['netflow', 'ipfix', 'sflow'] as const;
export type CollectorListener = (typeof COLLECTOR_LISTENERS)[number];

const Prefix = Type.String({ minLength: 2, maxLength: 49, description: 'IPv4/IPv6 address or prefix, e.g. 203.0.113.0/24' });

/** `POST /api/v1/agent/collector`: this node is a flow collector protecting these networks. */
export const CollectorRegisterBody = Type.Object({
  networks: Type.Array(Prefix, { minItems: 1, maxItems: 1024, description: 'Protected networks' }),
  listen: Type.Optional(Type.Record(Type.String({ maxLength: 16 }), Type.String({ maxLength: 64 }), { description: 'listener → ADDR:PORT (informational)' })),
}, { additionalProperties: true });
export type CollectorRegisterBody = Static<typeof CollectorRegisterBody>;

const Count = Type.Integer({ minimum: 0 });

/** Drops on the way in, per exporter: by the kernel (socket buffer), by the bounded queue, or refused (not an allowed exporter). */
export const ReceiveDrops = Type.Object({
  socket: Count,
  queue: Count,
  not_allowed: Count,
}, { description: 'socket: the kernel socket buffer overflowed (from /proc/net/udp, per listener, so shown on every exporter of that listener); queue: the collector\'s bounded queue was full; not_allowed: datagrams from an address outside allowed_exporters' });
export type ReceiveDrops = Static<typeof ReceiveDrops>;

/** One exporter as the collector reports it and the API shows it. */
export const FlowExporter = Type.Object({
  exporter: Type.String({ maxLength: 64 }),
  protocols: Type.Array(Type.Enum(FLOW_PROTOCOLS)),
  last_datagram_at: Type.Union([IsoTime, Type.Null()]),
  datagrams: Count,
  records: Count,
  templates: Count,
  template_list: Type.Array(Type.Object({
    protocol: Type.String({ maxLength: 16 }), domain: Count, template_id: Count, options: Type.Boolean(), field_count: Count, record_length: Type.Integer(),
  }), { maxItems: 1024 }),
  sampling_rate: Type.Integer({ minimum: 1 }),
  sampling_source: Type.Enum(FLOW_SAMPLING_SOURCES),
  sampling_override: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  decode_errors: Type.Record(Type.String({ maxLength: 32 }), Count, { maxProperties: 64, description: `by reason: ${FLOW_DECODE_ERRORS.join(', ')}` }),
  drops: ReceiveDrops,
  allowed: Type.Boolean({ description: 'false: this address is not in allowed_exporters; its datagrams are counted and dropped' }),
  sampling_algorithm: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  templates_redefined: Type.Optional(Count),
  templates_withdrawn: Type.Optional(Count),
  templates_expired: Type.Optional(Count),
  pending_sets: Type.Optional(Count),
  interfaces: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Number()), { maxItems: 64, description: 'sFlow interface counters' })),
}, { additionalProperties: true });
export type FlowExporter = Static<typeof FlowExporter>;

export const Talker = Type.Object({ ip: Type.String({ maxLength: 64 }), packets: Count, bytes: Count });
export type Talker = Static<typeof Talker>;

/** `POST /api/v1/agent/flow-status` (collector only): exporters now, and the last interval's top talkers per host. */
export const FlowStatusBody = Type.Object({
  exporters: Type.Array(FlowExporter, { maxItems: 4096 }),
  talkers: Type.Optional(Type.Array(Type.Object({
    host: Type.String({ format: 'ip', maxLength: 45 }),
    at: IsoTime,
    sources: Type.Array(Talker, { maxItems: 100 }),
  }), { maxItems: 4096 })),
}, { additionalProperties: true });
export type FlowStatusBody = Static<typeof FlowStatusBody>;

/**
 * `POST /api/v1/agent/flow-metrics` (collector only): per-second samples of many protected hosts in
 * one request (one request per host would spend a workspace's rate limit on a /24 in seconds).
 */
export const FlowMetricsBody = Type.Object({
  hosts: Type.Array(Type.Object({
    host: Type.String({ format: 'ip', maxLength: 45 }),
    samples: Type.Array(MetricSample, { minItems: 1, maxItems: 3600 }),
  }), { minItems: 1, maxItems: 4096 }),
}, { additionalProperties: false });
export type FlowMetricsBody = Static<typeof FlowMetricsBody>;

export const Collector = Type.Object({
  uuid: Uuid,
  name: Type.String(),
  ip: Type.String(),
  status: Type.String(),
  last_seen: Type.Union([IsoTime, Type.Null()]),
  networks: Type.Array(Type.String()),
  flow_nodes: Type.Array(Type.Object({ uuid: Uuid, ip: Type.String(), name: Type.String() })),
  exporters: Type.Array(FlowExporter),
});
export type Collector = Static<typeof Collector>;

export const TalkersQuery = Type.Object({
  host: Type.String({ format: 'ip', maxLength: 45, description: 'A protected address (a flow node of this collector)' }),
  window: Type.Optional(Type.Integer({ minimum: 1, maximum: 172_800, default: 300, description: 'Seconds back from now (1-172800)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Talkers (1-100)' })),
}, { additionalProperties: false });
export type TalkersQuery = Static<typeof TalkersQuery>;

export const TopTalkers = Type.Object({
  collector: Uuid,
  node: Type.Union([Uuid, Type.Null()]),
  host: Type.String(),
  from: IsoTime,
  to: IsoTime,
  talkers: Type.Array(Talker),
});
export type TopTalkers = Static<typeof TopTalkers>;

/** `breakwater analyze` on a capture of flow datagrams (`--json` prints this object). */
export interface FlowCaptureReport {
  kind: 'flows';
  file: string;
  datagrams: number;
  /** Captured UDP packets that were not flow datagrams (or went to ports left out). */
  otherPackets: number;
  records: number;
  packets: { raw: number; scaled: number };
  bytes: { raw: number; scaled: number };
  firstMs: number | null;
  lastMs: number | null;
  exporters: {
    exporter: string;
    protocols: string[];
    datagrams: number;
    records: number;
    samplingRate: number;
    samplingSource: string;
    templates: { protocol: string; domain: number; templateId: number; options: boolean; fieldCount: number }[];
    decodeErrors: Record<string, number>;
  }[];
  networks: string[];
  /** Incidents the collector would open on these datagrams, per protected address. */
  incidents: {
    host: string;
    attackFamily: string;
    attackSubtype: string;
    severity: string;
    startedAt: string;
    endedAt: string | null;
    peakPps: number;
    peakBps: number;
    threshold: { name: string; value: number; observed: number };
    explanation: string;
    topSources: { ip: string; count: number }[];
    topDstPorts: { port: number; count: number }[];
  }[];
}
