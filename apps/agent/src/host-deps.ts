// This host's capture source, firewall and counters, as `breakwater agent run` wires them
// into createAgent. Each loads its module when the agent starts, after agent-launcher.ts has
// turned the compile cache on: importing them here would load tcpdump's pcap reader (and the
// packet decoders behind it) into the CLI before that.
import type { CaptureSourceFactory } from './capture/capture-source.ts';
import type { FirewallFactory } from './firewall/firewall-executor.ts';
import type { CounterSourceFactory } from './kernel-counters.ts';

/** The modules behind them, for the launcher's compile cache. */
export const HOST_MODULES = ['capture/tcpdump-source.ts', 'firewall/nft-executor.ts', 'kernel-counters.ts'] as const;

/** Modules the agent loads only when configured to (metrics_listen), compiled into the cache too. */
export const OPTIONAL_MODULES = ['agent-metrics.ts'] as const;

/** Packet detail from a tcpdump child (see capture/tcpdump-source.ts). */
export const tcpdumpCapture: CaptureSourceFactory = async (o, h) => new (await import('./capture/tcpdump-source.ts')).TcpdumpSource(o, h);

/** Firewall rules in the agent's own nftables table (see firewall/nft-executor.ts). */
export const nftFirewall: FirewallFactory = async (o) => new (await import('./firewall/nft-executor.ts')).NftExecutor(o);

/** Exact totals from /sys and /proc (see kernel-counters.ts). */
export const kernelCounters: CounterSourceFactory = async (iface) => new (await import('./kernel-counters.ts')).KernelCounters({ iface });
