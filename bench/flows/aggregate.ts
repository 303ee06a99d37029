// A per-destination accumulator over ticks: what the collector does with each record before
// the detection engine (packets, bytes and flows per protected host per tick). The bench's own;
// apps/collector owns the real aggregation.
import type { FlowRecord } from '@breakwater/contracts';

interface Cell {
  packets: number;
  bytes: number;
  records: number;
}

export class DstTickAccumulator {
  private readonly tickMs: number;
  private tick = -1;
  private cells = new Map<string, Cell>();
  ticks = 0;
  hostTicks = 0;
  packets = 0;

  constructor(tickMs = 100) {
    this.tickMs = tickMs;
  }

  add(r: FlowRecord): void {
    const tick = Math.floor(r.receivedAtMs / this.tickMs);
    if (tick !== this.tick) this.flush(tick);
    let c = this.cells.get(r.dstAddr);
    if (c === undefined) {
      c = { packets: 0, bytes: 0, records: 0 };
      this.cells.set(r.dstAddr, c);
    }
    c.packets += r.packets;
    c.bytes += r.bytes;
    c.records++;
  }

  flush(next = -1): void {
    if (this.cells.size > 0) {
      this.ticks++;
      this.hostTicks += this.cells.size;
      for (const c of this.cells.values()) this.packets += c.packets;
      this.cells = new Map();
    }
    this.tick = next;
  }
}
