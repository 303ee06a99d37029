// One reading of a source's exact totals between two instants: what the agent's kernel counters
// counted since the previous read. Cheaper and more frequent than a TickStats (no packet detail),
// it lets the detection engine see a flood within tens of milliseconds.
export interface CounterSample {
  /** Start of the interval, ms since the epoch. */
  ts: number;
  /** Length of the interval, ms (the real time between the two reads, not a nominal tick). */
  durationMs: number;
  packets: number;
  bytes: number;
}
