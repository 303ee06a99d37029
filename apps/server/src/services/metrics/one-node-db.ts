// For the metrics tests: a fresh SQLite database holding one workspace and one node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodes, openDatabase, workspaces, type Database } from '@breakwater/db';

export async function oneNodeDatabase(): Promise<{ database: Database; dir: string; nodeId: number; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-metrics-'));
  const database = await openDatabase({ dataDir: dir });
  await workspaces.insertWorkspace(database.db, { id: 'ws', name: 'w', plan: 'self-hosted', node_quota: 10, rate_limit_per_min: 1000, settings: '{}', created_at: 1 });
  const nodeId = await nodes.insertNode(database.db, {
    uuid: 'u', workspace_id: 'ws', name: 'n', ip: '192.0.2.1', location: null, os: null, interface: 'eth0', priority: 'production',
    api_key_digest: 'd', agent_version: null, pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null,
    last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null, last_conn_count: null,
    last_metrics_at: null, uptime_seconds: null, agent_info: '{}', tags: '[]', created_at: 1, updated_at: 1, deleted_at: null,
  });
  return {
    database, dir, nodeId,
    close: async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
