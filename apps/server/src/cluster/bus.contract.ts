// The contract every ClusterBus implementation runs: what a replica publishes reaches every
// subscriber on every replica once, in order, and the publisher's own subscribers at once.
// `pair` gives two ends: two replicas' buses on one database, or one bus twice (single process).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@breakwater/testing';
import type { ClusterPayloads } from '@breakwater/contracts';
import type { BusOrigin, ClusterBus } from './bus.ts';

export interface BusPair {
  a: ClusterBus;
  b: ClusterBus;
  close: () => Promise<void>;
}

type Heard = { payload: ClusterPayloads['command.queued']; from: BusOrigin };

export function busContract(name: string, pair: () => Promise<BusPair>): void {
  test(`${name} bus: a publish reaches the publisher's subscribers at once and every replica's once, in order`, async () => {
    const { a, b, close } = await pair();
    try {
      const onA: Heard[] = [];
      const onB: Heard[] = [];
      const offA = a.subscribe('command.queued', (payload, from) => onA.push({ payload, from }));
      const offB = a === b ? () => undefined : b.subscribe('command.queued', (payload, from) => onB.push({ payload, from }));
      for (let i = 1; i <= 20; i++) {
        await a.publish('command.queued', { node_id: 7, command_id: i });
        assert.equal(onA.length, i, 'delivered to the publisher synchronously');
      }
      assert.ok(onA.every((h) => h.from.local && h.from.origin === a.replicaId));
      if (a !== b) {
        await waitFor('the other replica to hear all 20', () => onB.length >= 20, 5000);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(onB.map((h) => h.payload.command_id), Array.from({ length: 20 }, (_, i) => i + 1), 'each once, in order');
        assert.ok(onB.every((h) => !h.from.local && h.from.origin === a.replicaId));
      }
      assert.equal(onA.length, 20, 'the publisher does not hear its own event a second time');
      offA();
      offB();
      await a.publish('command.queued', { node_id: 7, command_id: 99 });
      assert.equal(onA.length, 20, 'unsubscribed');
      assert.equal(a.healthy && b.healthy, true);
    } finally {
      await close();
    }
  });

  test(`${name} bus: a subscriber that throws does not keep the others from hearing`, async () => {
    const { a, close } = await pair();
    try {
      const heard: number[] = [];
      a.subscribe('live', () => {
        throw new Error('broken subscriber');
      });
      a.subscribe('live', (p) => heard.push(p.event.type === 'node.changed' ? 1 : 0));
      await a.publish('live', { workspace_id: 'w', event: { type: 'node.changed', node_id: 'n' } });
      assert.deepEqual(heard, [1]);
    } finally {
      await close();
    }
  });
}
