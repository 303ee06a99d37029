// PCAP API shapes (full-api.md: PCAPs) that the dashboard reads: stored captures, their decoded
// packets and the forensic analysis.
import { Type, type Static } from 'typebox';
import { Limit, Offset } from './common.ts';

export const Pcap = Type.Object({
  id: Type.String(), node_uuid: Type.String(), node_name: Type.String(), incident_uuid: Type.Union([Type.String(), Type.Null()]),
  filename: Type.String(), format: Type.String(), size_bytes: Type.Integer(), sha256: Type.String(),
  packet_count: Type.Union([Type.Integer(), Type.Null()]), analysed: Type.Boolean(), captured_at: Type.String(),
});
export type Pcap = Static<typeof Pcap>;

export const Packet = Type.Object({
  index: Type.Integer(), timestamp: Type.String(), length: Type.Integer(), captured: Type.Integer(),
  ip_version: Type.Union([Type.Integer(), Type.Null()]), src_ip: Type.Union([Type.String(), Type.Null()]), dst_ip: Type.Union([Type.String(), Type.Null()]),
  protocol: Type.Union([Type.String(), Type.Null()]), src_port: Type.Union([Type.Integer(), Type.Null()]), dst_port: Type.Union([Type.Integer(), Type.Null()]),
  ttl: Type.Union([Type.Integer(), Type.Null()]), tcp_flags: Type.Union([Type.String(), Type.Null()]), payload_size: Type.Union([Type.Integer(), Type.Null()]),
  fragment: Type.Boolean(), tunnelled: Type.Boolean(), decode_error: Type.Union([Type.String(), Type.Null()]),
});
export type Packet = Static<typeof Packet>;

export const PacketPageQuery = Type.Object({ limit: Type.Optional(Limit(1000, 100)), offset: Type.Optional(Offset) }, { additionalProperties: false });

/** `report` is packages/analysis's AnalysisReport, stored as computed. */
export const PcapAnalysis = Type.Object({ pcap_id: Type.String(), analysed_at: Type.String(), cached: Type.Boolean(), report: Type.Unknown() });
