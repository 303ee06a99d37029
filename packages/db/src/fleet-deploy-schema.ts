// Table shapes of migration 010 (fleet deploy), merged into schema.ts' Schema.

export interface SshKeyTable {
  id: string;
  workspace_id: string;
  name: string;
  key_type: string;
  public_key: string;
  fingerprint: string;
  /** Sealed (enc:v1:) by the database's secret box. */
  private_key: string;
  passphrase: string | null;
  created_by: string | null;
  created_at: number;
}

export interface KnownHostTable {
  workspace_id: string;
  host: string;
  port: number;
  key_type: string;
  fingerprint: string;
  trust: string;
  recorded_by: string | null;
  first_seen_at: number;
  last_seen_at: number;
}

export interface EnrolmentKeyTable {
  id: string;
  workspace_id: string;
  digest: string;
  prefix: string;
  label: string | null;
  tags: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  ticket_digest: string | null;
  enrolled_at: number | null;
  node_uuid: string | null;
}

export interface DeployJobTable {
  id: string;
  workspace_id: string;
  host: string;
  port: number;
  ssh_user: string;
  ssh_key: string;
  label: string | null;
  host_key_fingerprint: string | null;
  host_key_trust: string | null;
  status: string;
  steps: string;
  error: string | null;
  node_uuid: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}
