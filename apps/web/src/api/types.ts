// Wire shapes, from the contracts package (types only: nothing of it reaches the bundle).
export type { Channel, Incident, IncidentDetail, Node, NodeDetail, RuleInfo } from '@breakwater/contracts';
import type { Static } from 'typebox';
import type { AdapterInfo as AdapterSchema, AdapterTestResult as TestSchema, DeployTokenScope, MetricsSeries as SeriesSchema } from '@breakwater/contracts';
export type { DeployTokenScope };

export type AdapterInfo = Static<typeof AdapterSchema>;
export type AdapterTestResult = Static<typeof TestSchema>;
export type MetricsSeries = Static<typeof SeriesSchema>;
export type Role = 'viewer' | 'operator' | 'admin';

export interface Me { user_id: string; email: string; name: string; role: Role; workspace_id: string }
export interface TokenInfo { id: string; kind: string; name: string; role: string; scope: DeployTokenScope | null; prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null }
export interface UserInfo { id: string; email: string; name: string; role: Role; created_at: string; disabled: boolean }
export interface Pcap { id: string; node_uuid: string; node_name: string; incident_uuid: string | null; filename: string; format: string; size_bytes: number; sha256: string; packet_count: number | null; analysed: boolean; captured_at: string }
export interface Packet {
  index: number; timestamp: string; length: number; captured: number; ip_version: number | null; src_ip: string | null; dst_ip: string | null;
  protocol: string | null; src_port: number | null; dst_port: number | null; ttl: number | null; tcp_flags: string | null; payload_size: number | null;
  fragment: boolean; tunnelled: boolean; decode_error: string | null;
}

/** Stream messages (apps/server/src/routes/dash-live-feed.ts). */
export type { LiveEvent, LiveFrame, LiveNode, LiveSample, NodeStatus } from '@breakwater/contracts';
