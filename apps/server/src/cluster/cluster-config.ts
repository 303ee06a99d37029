// The cluster component's own config keys, with defaults; checked once at start.
import { Type, type Static } from 'typebox';
import { validateConfig } from '@breakwater/contracts';

const int = (minimum: number, maximum: number, dflt: number) => Type.Integer({ minimum, maximum, default: dflt });

export const ClusterConfigSchema = Type.Object({
  /** This replica's name in leases and events; default host:pid:random. */
  replicaId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** How long a lease lasts unless renewed: the longest a dead holder's timers stay idle. */
  leaseTtlMs: int(500, 600_000, 10_000),
  /** How often leases are renewed (and free ones taken). */
  leaseRenewMs: int(100, 300_000, 3_000),
  /** The bus reads the event log this often even without a NOTIFY (the fallback). */
  busPollMs: int(50, 60_000, 1_000),
  /** Bus events older than this are deleted. */
  busRetentionMs: int(10_000, 86_400_000, 600_000),
});
export type ClusterConfig = Static<typeof ClusterConfigSchema>;

export function resolveClusterConfig(input: Partial<ClusterConfig> | undefined): ClusterConfig {
  const c = validateConfig(ClusterConfigSchema, input ?? {}, { label: 'config cluster.' });
  if (c.leaseRenewMs * 2 > c.leaseTtlMs) {
    throw new Error(`config cluster.leaseRenewMs: must be at most half of cluster.leaseTtlMs (${c.leaseTtlMs}), got ${c.leaseRenewMs}`);
  }
  return c;
}
