// One second of ticks → the agent API's metrics sample. Rates come from the exact totals;
// protocol shares from the decoded detail, each tick scaled to the traffic it stands for.
import type { TickStats } from '@breakwater/contracts';

export class SecondAccumulator {
  #ms = 0;
  #packets = 0;
  #bytes = 0;
  #tcp = 0;
  #udp = 0;
  #icmp = 0;
  #decoded = 0;

  add(t: TickStats): Record<string, unknown> | null {
    this.#ms += t.durationMs;
    this.#packets += t.total.packets;
    this.#bytes += t.total.bytes;
    // Each tick's detail weighs what it stands for (its ticks may be sampled at different N),
    // the factor the detection engine applies too.
    const k = t.decoded.packets > 0 ? Math.max(1, t.total.packets / t.decoded.packets) : 0;
    this.#tcp += t.byProtocol.tcp.packets * k;
    this.#udp += t.byProtocol.udp.packets * k;
    this.#icmp += t.byProtocol.icmp.packets * k;
    this.#decoded += t.decoded.packets * k;
    if (this.#ms < 1000) return null;
    const pct = (n: number) => (this.#decoded > 0 ? Math.round((n / this.#decoded) * 1000) / 10 : 0);
    const sample = {
      pps: Math.round((this.#packets * 1000) / this.#ms), bps: Math.round((this.#bytes * 8 * 1000) / this.#ms),
      tcp_pct: pct(this.#tcp), udp_pct: pct(this.#udp), icmp_pct: pct(this.#icmp), recorded_at: new Date(t.ts + t.durationMs - 1000).toISOString(),
    };
    this.#ms = this.#packets = this.#bytes = this.#tcp = this.#udp = this.#icmp = this.#decoded = 0;
    return sample;
  }
}
