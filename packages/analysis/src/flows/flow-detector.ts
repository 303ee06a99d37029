// Per-destination detection for flow records: every address inside the protected networks gets
// its own tick builder and detection engine (same thresholds, baselines, classification and
// per-host overrides as an agent node). The collector calls flush() every tick on its clock;
// `breakwater analyze` on a flow capture calls it on the capture's time. Pure: no I/O, no timers.
import type { FlowRecord, TickStats } from '@breakwater/contracts';
import { createDetectionEngine, parseConfig, type BaselineState, type DetectionConfig, type DetectionConfigInput, type DetectionEngine, type DetectionEvent } from '@breakwater/detection';
import { FlowTickBuilder } from './flow-tick-builder.ts';
import { ProtectedNetworks } from './protected-networks.ts';

export interface FlowDetectorConfig {
  /** Protected networks (addresses or prefixes); records to other destinations are not detected on. */
  networks: readonly string[];
  detection?: DetectionConfigInput;
  /** Hosts watched at once; more are counted in `hostsRefused` (default 4096). */
  maxHosts?: number;
  /** A host with no record for this long and no open incident is forgotten (default 5 min). */
  idleMs?: number;
}

export interface FlowDetectorDeps {
  /** Baselines saved by an earlier run, per host. */
  baselines?: Record<string, BaselineState>;
}

/** What one host's tick gave: the tick fed to its engine and the engine's events. */
export interface FlowHostTick {
  host: string;
  tick: TickStats;
  events: DetectionEvent[];
}

interface Host {
  builder: FlowTickBuilder;
  engine: DetectionEngine;
  lastRecordAt: number;
}

export interface FlowDetector {
  /** False when the record's destination is outside the protected networks (or refused past maxHosts). */
  add(r: FlowRecord, now: number): boolean;
  /** Closes the tick that ends at `now` for every known host and feeds it to its engine. */
  flush(now: number): FlowHostTick[];
  /** Hosts being watched. */
  hosts(): string[];
  engine(host: string): DetectionEngine | undefined;
  readonly networks: ProtectedNetworks;
  readonly stats: { recordsOutside: number; hostsRefused: number };
  exportBaselines(): Record<string, BaselineState>;
}

export function createFlowDetector(config: FlowDetectorConfig, deps: FlowDetectorDeps = {}): FlowDetector {
  const networks = new ProtectedNetworks(config.networks);
  // Parsed once: a bad key fails here (DetectionConfigError names it), not per host.
  const detection: DetectionConfig = parseConfig(config.detection ?? {});
  const maxHosts = config.maxHosts ?? 4096;
  const idleMs = config.idleMs ?? 300_000;
  const hosts = new Map<string, Host>();
  const stats = { recordsOutside: 0, hostsRefused: 0 };
  let lastFlush: number | null = null;

  return {
    networks,
    stats,
    add(r, now) {
      const dst = r.dstAddr;
      let h = hosts.get(dst);
      if (!h) {
        if (!networks.contains(dst)) {
          stats.recordsOutside++;
          return false;
        }
        if (hosts.size >= maxHosts) {
          stats.hostsRefused++;
          return false;
        }
        h = {
          builder: new FlowTickBuilder(),
          engine: createDetectionEngine(detection, { target: dst, idPrefix: `${dst}-`, baselineState: deps.baselines?.[dst] }),
          lastRecordAt: now,
        };
        hosts.set(dst, h);
      }
      h.lastRecordAt = now;
      h.builder.add(r);
      return true;
    },
    flush(now) {
      const from = lastFlush ?? now - 100;
      if (now <= from) return [];
      lastFlush = now;
      const out: FlowHostTick[] = [];
      for (const [host, h] of hosts) {
        const tick = h.builder.take(from, now - from);
        const events = h.engine.ingest(tick);
        out.push({ host, tick, events });
        if (now - h.lastRecordAt > idleMs && !h.engine.activeIncident()) hosts.delete(host);
      }
      return out;
    },
    hosts: () => [...hosts.keys()],
    engine: (host) => hosts.get(host)?.engine,
    exportBaselines: () => Object.fromEntries([...hosts].map(([k, h]) => [k, h.engine.exportBaseline()])),
  };
}
