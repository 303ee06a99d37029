// What every CaptureSource promises, run by each implementation's test (tcpdump on real
// traffic in a namespace of the test's own, the replay source in memory): the packets that
// reach it while started come out whole and decodable, stamped with the time they arrived;
// counters answer while it runs; none after stop, and nothing is delivered after stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedPacket, decodePacket, IpProto } from '@breakwater/packets';
import { waitFor } from '@breakwater/testing';
import type { CaptureHandlers, CaptureSource, CaptureStats } from './capture-source.ts';

export interface CaptureHarness {
  /** A new source (not started) that delivers to these handlers. */
  make(h: CaptureHandlers): CaptureSource;
  /** Makes `count` UDP packets to `port` reach what the source watches; resolves once sent. */
  send(count: number, port: number): Promise<void>;
  /** The clock the source stamps packets with; Date.now unless the source reads another one. */
  now?: () => number;
}

function statsShape(s: CaptureStats, what: string): void {
  for (const k of ['captured', 'received', 'kernelDrops'] as const) {
    assert.ok(s[k] === null || (Number.isInteger(s[k]) && s[k] >= 0), `${what}.${k}: ${s[k]}`);
  }
}

export function captureSourceContract(name: string, withHarness: (fn: (h: CaptureHarness) => Promise<void>) => Promise<void>, timeout = 60_000): void {
  test(`${name}: the capture source contract`, { timeout }, async (t) => {
    await withHarness(async (h) => {
      const byPort = new Map<number, number>();
      const errors: Error[] = [];
      const stamps: number[] = [];
      const p = new DecodedPacket();
      const src = h.make({
        onRecord: (rec) => {
          stamps.push(rec.tsMs);
          decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, p);
          if (p.ip.protocol === IpProto.udp) byPort.set(p.ip.dstPort, (byPort.get(p.ip.dstPort) ?? 0) + 1);
        },
        onError: (err) => errors.push(err),
      });

      await t.test('delivers every packet that reaches it while started, decodable and stamped when it arrived', async () => {
        await src.start();
        const now = h.now ?? Date.now;
        const t0 = now();
        await h.send(300, 7777);
        await waitFor('300 UDP packets to port 7777', () => (byPort.get(7777) ?? 0) >= 300, 15_000, 50);
        assert.equal(byPort.get(7777), 300, 'each packet once');
        assert.ok(stamps.every((ts) => ts >= t0 - 1000 && ts <= now() + 1000), `stamped with the time of capture: ${stamps[0]} not within [${t0 - 1000}, ${now() + 1000}]`);
      });

      await t.test('its counters answer while it runs, and once more at stop', async () => {
        const running = await src.stats();
        if (running !== null) statsShape(running, 'stats()');
        const final = await src.stop();
        statsShape(final, 'stop()');
        if (final.captured !== null) assert.ok(final.captured >= 300, `captured ${final.captured}`);
        assert.equal(await src.stats(), null, 'no counters once stopped');
      });

      await t.test('nothing is delivered after stop, and no error was reported', async () => {
        await h.send(50, 7778);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(byPort.get(7778), undefined);
        assert.deepEqual(errors.map((e) => e.message), []);
      });
    });
  });
}
