// Table shapes as Kysely sees them. Portable types only, so one migration set serves
// SQLite and PostgreSQL: timestamps are bigint milliseconds since the epoch, booleans
// are 0/1 integers, structured values are JSON text.
import type { Generated } from 'kysely';
import type { DeployJobTable, EnrolmentKeyTable, KnownHostTable, SshKeyTable } from './fleet-deploy-schema.ts';
import type { RunbookExecutionTable, RunbookTable } from './runbooks-schema.ts';
import type { ProfileApplicationTable } from './profiles-schema.ts';
import type { AgentLinkTable, ClusterEventTable, ClusterFrameTable, ClusterLeaseTable, ClusterReplicaTable } from './cluster-schema.ts';

export type Role = 'viewer' | 'operator' | 'admin';
export type TokenKind = 'api' | 'deploy';
/** What a deploy token may do: register nodes only, or also act as an operator on REST v1. */
export type TokenScope = 'register' | 'operator';

export interface WorkspaceTable {
  id: string;
  name: string;
  plan: string;
  node_quota: number;
  rate_limit_per_min: number;
  settings: string; // JSON: ioc_patterns, detection defaults
  created_at: number;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  id: string;
  digest: string;
  user_id: string;
  workspace_id: string;
  created_at: number;
  expires_at: number;
}

export interface TokenTable {
  id: string;
  workspace_id: string;
  kind: TokenKind;
  name: string;
  role: Role;
  /** Deploy tokens only (null for API tokens). */
  scope: TokenScope | null;
  digest: string;
  prefix: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface NodeTable {
  id: Generated<number>;
  uuid: string;
  workspace_id: string;
  name: string;
  ip: string;
  location: string | null;
  os: string | null;
  interface: string;
  priority: string;
  api_key_digest: string;
  agent_version: string | null;
  pps_threshold: number | null;
  bps_threshold: number | null;
  baseline_p99_pps: number | null;
  baseline_mean_pps: number | null;
  last_seen_at: number | null;
  last_pps: number | null;
  last_bps: number | null;
  last_tcp_pct: number | null;
  last_udp_pct: number | null;
  last_icmp_pct: number | null;
  last_conn_count: number | null;
  last_metrics_at: number | null;
  uptime_seconds: number | null;
  agent_info: string; // JSON: whatever else the agent reported in its last heartbeat
  tags: string; // JSON string[]
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** `agent` (default), `collector` (a flow collector) or `flow` (a host a collector protects); migration 011. */
  kind?: NodeKind;
  /** A flow node's collector. */
  parent_node_id?: number | null;
  /** A collector's protected networks (JSON string[]). */
  flow_networks?: string | null;
  /** This node's overrides of the workspace's agent settings (JSON object; null: none); migration 016. */
  agent_settings?: string | null;
}

export type NodeKind = 'agent' | 'collector' | 'flow';

export interface FlowExporterTable {
  collector_node_id: number;
  exporter: string;
  status: string;
  last_datagram_at: number | null;
  updated_at: number;
}

export interface FlowTalkerTable {
  node_id: number;
  ts: number;
  src: string;
  packets: number;
  bytes: number;
}

export interface IncidentTable {
  id: Generated<number>;
  uuid: string;
  workspace_id: string;
  node_id: number;
  status: string; // active | resolved | false_positive
  attack_family: string;
  attack_subtype: string | null;
  severity: string;
  peak_pps: number;
  peak_bps: number;
  source_ip_count: number | null;
  spoofing_detected: number;
  botnet_detected: number;
  confidence: number | null;
  protocol_breakdown: string;
  tcp_flag_breakdown: string;
  geo_breakdown: string;
  top_src_ips: string;
  top_dst_ports: string;
  ioc_matches: string;
  extra: string; // JSON: fields the agent sent beyond the reference (kept, tolerant reader)
  summary: string | null;
  started_at: number;
  updated_at: number;
  resolved_at: number | null;
  duration_seconds: number | null;
}

export interface MetricTable {
  node_id: number;
  ts: number;
  pps: number;
  bps: number;
  tcp_pct: number | null;
  udp_pct: number | null;
  icmp_pct: number | null;
  conn_count: number | null;
}

export interface MetricRollupTable {
  node_id: number;
  ts: number;
  samples: number;
  avg_pps: number;
  max_pps: number;
  avg_bps: number;
  max_bps: number;
  avg_tcp_pct: number | null;
  avg_udp_pct: number | null;
  avg_icmp_pct: number | null;
  max_conn_count: number | null;
}

export interface ChannelTable {
  id: string;
  workspace_id: string;
  name: string;
  type: string;
  config: string;
  enabled: number;
  min_severity: string;
  filters: string; // JSON { nodes?, tags?, events? }
  created_at: number;
  updated_at: number;
}

export interface CommandTable {
  id: Generated<number>;
  workspace_id: string;
  node_id: number;
  command_type: string;
  command_text: string;
  title: string;
  payload: string;
  status: string; // pending | applied | failed | expired
  error: string | null;
  created_by: string | null;
  created_at: number;
  acked_at: number | null;
  expires_at: number | null;
  // 008-fleet-commands: what was signed, and what the agent reported back
  nonce: string | null;
  signed_body: string | null;
  signature: string | null;
  risk: string | null;
  exit_code: number | null;
  output: string | null;
}

/** One Ed25519 key pair per workspace that signs its fleet commands; the private half sealed. */
export interface CommandKeyTable {
  workspace_id: string;
  public_key: string;
  private_key: string;
  created_at: number;
}

export interface PcapTable {
  id: Generated<number>;
  uuid: string;
  workspace_id: string;
  node_id: number;
  incident_id: number | null;
  filename: string;
  path: string;
  format: string;
  size_bytes: number;
  sha256: string;
  created_at: number;
  packet_count: number | null;
  analysis: string | null;
  analysis_at: number | null;
}

export interface PcapUploadTable {
  upload_id: string;
  workspace_id: string;
  node_id: number;
  incident_id: number;
  chunk_total: number;
  chunks_received: number;
  bytes_received: number;
  dir: string;
  created_at: number;
  updated_at: number;
}

export interface AuditTable {
  id: Generated<number>;
  workspace_id: string;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
  request_id: string | null;
  created_at: number;
}

export interface MaintenanceWindowTable {
  id: string;
  workspace_id: string;
  name: string;
  starts_at: number;
  ends_at: number;
  nodes: string; // JSON uuid[]; empty = every node
  created_by: string | null;
  created_at: number;
}

export interface DeliveryTable {
  id: Generated<number>;
  workspace_id: string;
  channel_id: string;
  incident_id: number | null;
  event: string;
  dedup_key: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_to: string;
  created_at: number;
  delivered_at: number | null;
  updated_at: number;
}

export interface DeliveryAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  started_at: number;
  duration_ms: number;
  outcome: string;
  status_code: number | null;
  detail: string | null;
}

export interface MitigationAdapterTable {
  id: string;
  workspace_id: string;
  name: string;
  adapter_type: string;
  endpoint: string;
  auth_token: string | null;
  config: string;
  capabilities: string;
  max_active_rules: number;
  status: string;
  last_test_at: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface MitigationRuleTable {
  id: string;
  workspace_id: string;
  adapter_id: string | null;
  node_id: number | null;
  incident_id: number | null;
  intent_type: string;
  target_ip: string;
  spec: string;
  rule_key: string;
  status: string;
  dry_run: number;
  tier: string | null;
  owner: string;
  reason: string;
  ttl_seconds: number;
  attempts: number;
  error: string | null;
  command_id: number | null;
  created_at: number;
  announced_at: number | null;
  expires_at: number | null;
  withdraw_after: number | null;
  withdrawn_at: number | null;
  withdrawn_by: string | null;
  withdraw_reason: string | null;
  updated_at: number;
}

export interface EscalationPolicyTable {
  workspace_id: string;
  policy: string;
  updated_by: string | null;
  updated_at: number;
}

export interface HostThresholdTable {
  id: string;
  workspace_id: string;
  target_ip: string;
  label: string | null;
  thresholds: string;
  created_at: number;
  updated_at: number;
}

export interface AllowlistTable {
  id: string;
  workspace_id: string;
  node_id: number | null;
  ip_address: string;
  label: string | null;
  created_by: string | null;
  created_at: number;
}

export interface ScrubbingIntegrationTable {
  id: string;
  workspace_id: string;
  name: string;
  integration_type: string;
  config: string;
  target: string | null;
  enabled: number;
  status: string;
  last_test_at: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface ScrubbingDiversionTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  target: string;
  state: string;
  dry_run: number;
  owner_kind: string;
  owner: string;
  reason: string;
  incident_id: number | null;
  node_id: number | null;
  tier: string | null;
  ttl_seconds: number;
  expires_at: number | null;
  withdraw_after: number | null;
  earliest_withdraw_at: number | null;
  idempotency_key: string;
  attempts: number;
  error: string | null;
  detail: string | null;
  requested_at: number;
  propagating_at: number | null;
  diverting_at: number | null;
  withdrawing_at: number | null;
  ended_at: number | null;
  ended_by: string | null;
  end_reason: string | null;
  next_poll_at: number | null;
  updated_at: number;
}

export interface ScrubbingEventTable {
  id: Generated<number>;
  workspace_id: string;
  integration_id: string;
  diversion_id: string | null;
  event: string;
  from_state: string | null;
  to_state: string | null;
  actor: string;
  message: string;
  at: number;
}

export interface FleetHostTable {
  node_id: number;
  hostname: string | null;
  os: string | null;
  cpu_percent: number | null;
  mem_percent: number | null;
  disk_percent: number | null;
  load1: number | null;
  uptime_s: number | null;
  reported_at: number;
}

export interface FleetStreamTicketTable {
  digest: string;
  workspace_id: string;
  node_id: number;
  kind: string;
  principal_kind: string;
  principal_ref: string;
  actor: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface FleetTransferTable {
  id: string;
  workspace_id: string;
  node_id: number;
  direction: string;
  path: string;
  size: number | null;
  sha256: string | null;
  status: string;
  error: string | null;
  actor: string;
  created_at: number;
  finished_at: number | null;
}

export interface Schema {
  workspaces: WorkspaceTable;
  users: UserTable;
  sessions: SessionTable;
  tokens: TokenTable;
  nodes: NodeTable;
  flow_exporters: FlowExporterTable;
  flow_talkers: FlowTalkerTable;
  incidents: IncidentTable;
  metrics: MetricTable;
  metrics_1m: MetricRollupTable;
  metrics_1h: MetricRollupTable;
  metrics_late: { node_id: number; ts: number; received_at: number };
  channels: ChannelTable;
  commands: CommandTable;
  command_keys: CommandKeyTable;
  pcaps: PcapTable;
  pcap_uploads: PcapUploadTable;
  audit_log: AuditTable;
  maintenance_windows: MaintenanceWindowTable;
  deliveries: DeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  mitigation_adapters: MitigationAdapterTable;
  mitigation_rules: MitigationRuleTable;
  escalation_policies: EscalationPolicyTable;
  host_thresholds: HostThresholdTable;
  allowlist: AllowlistTable;
  ssh_keys: SshKeyTable;
  known_hosts: KnownHostTable;
  enrolment_keys: EnrolmentKeyTable;
  deploy_jobs: DeployJobTable;
  fleet_hosts: FleetHostTable;
  fleet_stream_tickets: FleetStreamTicketTable;
  fleet_transfers: FleetTransferTable;
  scrubbing_integrations: ScrubbingIntegrationTable;
  scrubbing_diversions: ScrubbingDiversionTable;
  scrubbing_events: ScrubbingEventTable;
  runbooks: RunbookTable;
  runbook_executions: RunbookExecutionTable;
  profile_applications: ProfileApplicationTable;
  cluster_leases: ClusterLeaseTable;
  cluster_events: ClusterEventTable;
  cluster_frames: ClusterFrameTable;
  cluster_replicas: ClusterReplicaTable;
  agent_links: AgentLinkTable;
}
