// Exact traffic totals from the kernel: the interface's counters and the namespace's
// IP/TCP/UDP/ICMP counters, read every tick. Packet capture may sample or drop under a
// flood; these never do, so detection's pps and bps come from here.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

export interface CounterReading {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  ipIn: number;
  tcpIn: number;
  udpIn: number;
  icmpIn: number;
}

export interface CounterDelta extends CounterReading {
  /** True when a counter went backwards (interface re-created, counters reset): not a measurement. */
  reset: boolean;
}

export class CounterSourceError extends Error {}

/** Where a tick's exact totals come from: the kernel's counters, or a test's own. */
export interface CounterSource {
  read(): CounterReading;
  /** Received packets and bytes only, cheap enough to read every ~10 ms (fast detection). */
  readRx?(): { rxPackets: number; rxBytes: number };
  close?(): void;
}

/** Made when the agent starts, for its interface. */
export type CounterSourceFactory = (iface: string) => CounterSource | Promise<CounterSource>;

export interface KernelCountersOptions {
  iface: string;
  /** Roots are configurable so tests can point them at a fixture tree. */
  sysRoot?: string;
  procRoot?: string;
}

function parseSnmp(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const head = lines[i]!.split(/\s+/);
    const vals = lines[i + 1]!.split(/\s+/);
    const proto = head[0]?.replace(/:$/, '');
    if (!proto || vals[0] !== head[0]) continue;
    const m = new Map<string, number>();
    for (let k = 1; k < head.length; k++) m.set(head[k]!, Number(vals[k]));
    out.set(proto, m);
  }
  return out;
}

export class KernelCounters implements CounterSource {
  readonly #stats: string;
  readonly #snmp: string;
  readonly #iface: string;

  constructor(o: KernelCountersOptions) {
    if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(o.iface)) throw new CounterSourceError(`interface: not a valid interface name: ${JSON.stringify(o.iface)}`);
    this.#iface = o.iface;
    this.#stats = join(o.sysRoot ?? '/sys', 'class', 'net', o.iface, 'statistics');
    this.#snmp = join(o.procRoot ?? '/proc', 'net', 'snmp');
  }

  #fds: { packets: number; bytes: number } | null = null;
  readonly #buf = Buffer.alloc(32);

  /** Two preads on descriptors kept open: a few microseconds, so it can run every 10 ms. */
  readRx(): { rxPackets: number; rxBytes: number } {
    try {
      this.#fds ??= { packets: openSync(join(this.#stats, 'rx_packets'), 'r'), bytes: openSync(join(this.#stats, 'rx_bytes'), 'r') };
      const value = (fd: number) => Number(this.#buf.toString('latin1', 0, readSync(fd, this.#buf, 0, this.#buf.length, 0)).trim());
      return { rxPackets: value(this.#fds.packets), rxBytes: value(this.#fds.bytes) };
    } catch {
      this.close();
      throw new CounterSourceError(`interface ${this.#iface}: no counters at ${this.#stats} (does the interface exist in this network namespace?)`);
    }
  }

  close(): void {
    if (!this.#fds) return;
    for (const fd of [this.#fds.packets, this.#fds.bytes]) {
      try {
        closeSync(fd);
      } catch {
        // already gone
      }
    }
    this.#fds = null;
  }

  read(): CounterReading {
    const num = (f: string) => {
      try {
        return Number(readFileSync(join(this.#stats, f), 'utf8').trim());
      } catch {
        throw new CounterSourceError(`interface ${this.#iface}: no counters at ${this.#stats} (does the interface exist in this network namespace?)`);
      }
    };
    const snmp = parseSnmp(readFileSync(this.#snmp, 'utf8'));
    const get = (p: string, k: string) => snmp.get(p)?.get(k) ?? 0;
    return {
      rxPackets: num('rx_packets'),
      rxBytes: num('rx_bytes'),
      rxDropped: num('rx_dropped'),
      ipIn: get('Ip', 'InReceives'),
      tcpIn: get('Tcp', 'InSegs'),
      // datagrams to closed ports and bad ones count as received traffic too
      udpIn: get('Udp', 'InDatagrams') + get('Udp', 'NoPorts') + get('Udp', 'InErrors'),
      icmpIn: get('Icmp', 'InMsgs'),
    };
  }
}

export function counterDelta(prev: CounterReading, cur: CounterReading): CounterDelta {
  const keys = Object.keys(cur) as (keyof CounterReading)[];
  const reset = keys.some((k) => cur[k] < prev[k]);
  const d = { reset } as CounterDelta;
  for (const k of keys) d[k] = reset ? 0 : cur[k] - prev[k];
  return d;
}
