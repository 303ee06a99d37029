// Table shape of migration 012 (firewall profiles), merged into schema.ts' Schema.

/** One apply of a profile to one node, and its rollback; the newest row per node is its status. */
export interface ProfileApplicationTable {
  id: string;
  workspace_id: string;
  node_id: number;
  profile_id: string;
  suite: string;
  /** JSON: the checked rules sent (profile's and custom), each {cmd, title, reason}. */
  rules: string;
  rule_count: number;
  /** The profile_apply command; its status is the apply's. */
  command_id: number | null;
  /** The profile_rollback command, once asked for. */
  rollback_command_id: number | null;
  applied_by: string | null;
  created_at: number;
  updated_at: number;
}
