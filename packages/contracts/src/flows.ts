// The words between the flow decoders (packages/flows) and what uses them (apps/collector, the
// server's exporter API, `breakwater analyze` on flow captures). Plain types and constant lists:
// the decoders import them as types only, so the flow hot path never loads a schema library.

/** Export protocols a decoder reads. */
export const FLOW_PROTOCOLS = ['netflow_v5', 'netflow_v9', 'ipfix', 'sflow_v5'] as const;
export type FlowProtocol = (typeof FLOW_PROTOCOLS)[number];

/**
 * Why a datagram, set, template or sample was not (fully) decoded. Each is counted per exporter;
 * none stops the decoder.
 */
export const FLOW_DECODE_ERRORS = [
  /** The datagram ended inside a header, set, record or sample. */
  'truncated',
  /** The first bytes name no protocol the decoder reads. */
  'unknown_version',
  /** A datagram header contradicts itself (count or length beyond the datagram, zero length…). */
  'bad_header',
  /** A NetFlow v9 / IPFIX set whose length is below 4 or runs past the datagram. */
  'bad_set',
  /** A template with no fields, a zero-length or oversized field, or a field count past the set. */
  'bad_template',
  /** A data set whose length is not a whole number of records of its template. */
  'template_length_mismatch',
  /** Data held for a template that never came (hold time ran out): those records are dropped. */
  'unknown_template',
  /** Data for a missing template dropped at once because the hold queue was full (count or bytes). */
  'pending_overflow',
  /** A new template refused because the exporter already has the most templates allowed. */
  'template_cache_full',
  /** A new exporter refused because the decoder already tracks the most exporters allowed. */
  'exporter_limit',
  /** An sFlow sample or record whose lengths contradict each other. */
  'bad_sample',
  /** An sFlow raw packet header the packet decoder could not read to an IP header. */
  'bad_packet_header',
] as const;
export type FlowDecodeError = (typeof FLOW_DECODE_ERRORS)[number];

/** Where the sampling rate in force came from: none seen (1:1), the datagram, options data, the operator. */
export const FLOW_SAMPLING_SOURCES = ['none', 'datagram', 'options', 'override'] as const;
export type FlowSamplingSource = (typeof FLOW_SAMPLING_SOURCES)[number];

/**
 * One flow (NetFlow/IPFIX record) or one sampled packet (sFlow flow sample) as the exporter saw it.
 * Counts come twice: as exported (`packetsRaw`, `bytesRaw`) and scaled by `samplingRate`.
 */
export interface FlowRecord {
  protocol: FlowProtocol;
  /** Address the datagram came from (the exporter as the collector sees it). */
  exporter: string;
  /** sFlow agent address from the datagram; for NetFlow/IPFIX the same as `exporter`. */
  agent: string;
  /** NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent id; 0 for NetFlow v5 (engine type<<8 | id). */
  domain: number;
  /** 4 or 6; 0 when the record carries no IP addresses (e.g. a non-IP sFlow sample). */
  ipVersion: number;
  /** Dotted or RFC 5952 text; '' when unknown. */
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP…). */
  ipProtocol: number;
  /** TCP flags OR-ed over the flow (NetFlow/IPFIX) or of the sampled packet (sFlow); 0 when none. */
  tcpFlags: number;
  /** As exported. */
  packetsRaw: number;
  bytesRaw: number;
  /** Raw × samplingRate. */
  packets: number;
  bytes: number;
  /** 1 in N; 1 when unsampled or unknown. */
  samplingRate: number;
  /** Flow start and end, ms since the Unix epoch (sFlow: the time the datagram was received). */
  startMs: number;
  endMs: number;
  /** SNMP ifIndex; 0 when unknown. */
  inputIf: number;
  outputIf: number;
  /** 802.1Q VLAN id; 0 when none. */
  vlan: number;
  /** IP type of service / traffic class; 0 when unknown. */
  tos: number;
  /** True when the flow or packet is an IP fragment. */
  fragment: boolean;
  /** TTL / hop limit; 0 when the format does not carry it. */
  ttl: number;
  /** When the collector received the datagram (ms since the Unix epoch). */
  receivedAtMs: number;
}

/** A template the decoder holds for one exporter (NetFlow v9 / IPFIX). */
export interface FlowTemplateStatus {
  protocol: 'netflow_v9' | 'ipfix';
  domain: number;
  templateId: number;
  /** Options templates carry sampling parameters, not flows. */
  options: boolean;
  fieldCount: number;
  /** Bytes per record; -1 when the template has variable-length fields. */
  recordLength: number;
  learnedAtMs: number;
  refreshedAtMs: number;
}

/** Interface counters from sFlow counter samples (generic interface counters, RFC 3176 / sFlow v5). */
export interface FlowInterfaceCounters {
  ifIndex: number;
  ifSpeed: number;
  inOctets: number;
  inPackets: number;
  inErrors: number;
  inDiscards: number;
  outOctets: number;
  outPackets: number;
  outErrors: number;
  outDiscards: number;
  updatedAtMs: number;
}

/** What the decoder knows about one exporter: the source of the per-exporter status in the API. */
export interface FlowExporterStatus {
  exporter: string;
  /** Protocols this exporter sent, in first-seen order. */
  protocols: FlowProtocol[];
  firstSeenMs: number;
  lastDatagramMs: number;
  datagrams: number;
  records: number;
  /** Templates held now; `templateList` lists them. */
  templates: number;
  templateList: FlowTemplateStatus[];
  /** Templates re-sent with a different layout under the same id (an exporter flapping its templates). */
  templateRedefinitions: number;
  /** Templates withdrawn (IPFIX) or forgotten after `templateTimeoutMs`. */
  templatesWithdrawn: number;
  templatesExpired: number;
  /** Every reason, zero included, so a dashboard can show them all. */
  decodeErrors: Record<FlowDecodeError, number>;
  /** The rate applied to the latest record (1 in N). */
  samplingRate: number;
  samplingSource: FlowSamplingSource;
  /** Sampling algorithm from options data or sFlow ('deterministic', 'random'); null when unknown. */
  samplingAlgorithm: string | null;
  /** Operator override (1 in N) or null. */
  samplingOverride: number | null;
  /** Data sets held while their template is missing, and their bytes. */
  pendingSets: number;
  pendingBytes: number;
  /** sFlow counter samples, one entry per ifIndex (capped). */
  interfaces: FlowInterfaceCounters[];
}

/** Bounds on what a decoder keeps; every one of them caps memory under hostile input. */
export interface FlowDecoderLimits {
  /** Exporters tracked at once; datagrams from more are counted and dropped (default 1024). */
  maxExporters: number;
  /** Templates per exporter, all domains together (default 1024). */
  maxTemplatesPerExporter: number;
  /** A template not refreshed for this long is forgotten (default 30 min). */
  templateTimeoutMs: number;
  /** Data sets held per exporter while their template is missing (default 64). */
  maxPendingSets: number;
  /** Bytes of held data sets per exporter (default 256 KiB). */
  maxPendingBytes: number;
  /** How long a held data set waits for its template (default 5 s). */
  pendingHoldMs: number;
  /** Interface counter entries per exporter (default 256). */
  maxInterfaces: number;
}
