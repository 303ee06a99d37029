// The agent relay between two replicas' buses on a real PostgreSQL, with the agent's socket a
// stand-in (what AgentLinks uses of it): what happens when a replica goes silent (crashed: its bus
// stops without a word) on either side, and when what waits for the bus passes its bound.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import type { ClusterPayloads, ClusterTopic, FleetAgentMessage } from '@breakwater/contracts';
import { openDatabase, type Database, type NodeRow } from '@breakwater/db';
import { createTestDatabase, waitFor } from '@breakwater/testing';
import { AgentLinks } from '../services/fleet/agent-links.ts';
import { AgentRelay, type AgentRelayOptions } from './agent-relay.ts';
import type { BusHandler, ClusterBus } from './bus.ts';
import { PgBus } from './pg-bus.ts';

const clock = { now: () => Date.now() };
let url = '';
let drop: () => Promise<void> = async () => {};
let database: Database;
const NODE = 7;

before(async () => {
  ({ url, drop } = await createTestDatabase());
  database = await openDatabase({ url, dataDir: '/nonexistent' });
});
after(async () => {
  await database.close();
  await drop();
});

/** The agent's WebSocket as AgentLinks sees it; what the server sends is kept, parsed. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: { type: string; stream_id?: string }[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data) as { type: string });
  }
  terminate(): void {
    this.readyState = 3;
    this.emit('close');
  }
  /** The agent speaks. */
  say(m: FleetAgentMessage): void {
    this.emit('message', JSON.stringify(m));
  }
}

/** A replica's bus that can die on the spot: from then on it neither says nor hears anything (a crash, not a stop). */
class CrashableBus implements ClusterBus {
  readonly kind = 'postgres' as const;
  readonly inner: PgBus;
  dead = false;
  constructor(inner: PgBus) {
    this.inner = inner;
  }
  get replicaId(): string {
    return this.inner.replicaId;
  }
  get healthy(): boolean {
    return !this.dead && this.inner.healthy;
  }
  async publish<T extends ClusterTopic>(topic: T, payload: ClusterPayloads[T]): Promise<void> {
    if (!this.dead) await this.inner.publish(topic, payload);
  }
  subscribe<T extends ClusterTopic>(topic: T, handler: BusHandler<T>): () => void {
    return this.inner.subscribe(topic, (p, from) => {
      if (!this.dead) handler(p, from);
    });
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

interface Side {
  bus: CrashableBus;
  links: AgentLinks;
  relay: AgentRelay;
}

async function side(name: string, options: Partial<AgentRelayOptions> = {}): Promise<Side> {
  const onError = () => undefined;
  const bus = new CrashableBus(new PgBus({ db: database.db, url, clock, replicaId: `${name}-${Math.random()}`, pollMs: 200, retentionMs: 600_000, onError }));
  const links = new AgentLinks();
  const relay = new AgentRelay({ bus, db: database.db, clock, links, onError }, { answerTimeoutMs: 1000, aliveMs: 200, ...options });
  await bus.start();
  relay.start();
  return { bus, links, relay };
}

/** A holder with the agent's socket and an asker with a stream open through it. */
async function pair(options: Partial<AgentRelayOptions> = {}) {
  const holder = await side('holder', options);
  const asker = await side('asker', options);
  const socket = new FakeSocket();
  holder.links.attach({ id: NODE } as NodeRow, socket);
  const heard: FleetAgentMessage[] = [];
  const gone: string[] = [];
  const conv = await asker.relay.open(NODE, 'stream-1', { onMessage: (m) => heard.push(m), onGone: (why) => gone.push(why) });
  assert.equal(conv.send({ type: 'stream.open', stream_id: 'stream-1', kind: 'metrics', interval_ms: 1000 }), true);
  await waitFor('the agent asked', () => socket.sent.some((m) => m.type === 'stream.open'));
  socket.say({ type: 'stream.started', stream_id: 'stream-1' });
  await waitFor('the answer relayed', () => heard.length === 1);
  const stop = async () => {
    for (const s of [asker, holder]) {
      await s.relay.stop();
      await s.bus.stop();
    }
  };
  return { holder, asker, socket, heard, gone, conv, stop };
}

test('the asking replica going silent: the holder stops the agent\'s stream and forgets it', async () => {
  const p = await pair();
  try {
    assert.deepEqual(p.holder.relay.relayed, { asked: 0, held: 1 });
    p.asker.bus.dead = true; // crashed: no end, no more alive
    await waitFor('the holder to give up on the asker', () => p.holder.relay.relayed.held === 0, 5000);
    assert.ok(p.socket.sent.some((m) => m.type === 'stream.close' && m.stream_id === 'stream-1'), 'the agent is told to stop');
    assert.equal(p.holder.links.open, 0);
  } finally {
    await p.stop();
  }
});

test('the holding replica going silent: the stream on the asker ends, saying why', async () => {
  const p = await pair();
  try {
    p.holder.bus.dead = true;
    await waitFor('the asker to give up on the holder', () => p.gone.length === 1, 5000);
    assert.match(p.gone[0]!, /stopped answering/);
    assert.equal(p.conv.send({ type: 'stream.close', stream_id: 'stream-1' }), false, 'nothing more goes out');
    assert.deepEqual(p.asker.relay.relayed, { asked: 0, held: 0 });
  } finally {
    await p.stop();
  }
});

test('an agent faster than the bus: past maxQueuedBytes the holder ends the conversation, tells the agent to stop and the asker why', async () => {
  const p = await pair({ maxQueuedBytes: 16 * 1024 });
  try {
    const line = 'y'.repeat(2000);
    // Said at once, far more than the bound: the bus cannot take them as fast.
    for (let i = 0; i < 200; i++) p.socket.say({ type: 'stream.lines', stream_id: 'stream-1', lines: [{ ts: i, line }] });
    assert.equal(p.holder.relay.relayed.held, 0, 'ended at the bound, not buffered');
    assert.ok(p.socket.sent.some((m) => m.type === 'stream.close'));
    await waitFor('the asker told', () => p.gone.length === 1, 5000);
    assert.match(p.gone[0]!, /fell behind/);
    assert.ok(p.heard.length - 1 < 200, `what was queued before the bound arrived in order, no more (${p.heard.length - 1})`);
    const ts = p.heard.slice(1).map((m) => (m.type === 'stream.lines' ? m.lines[0]!.ts : -1));
    assert.deepEqual(ts, ts.map((_, i) => i));
  } finally {
    await p.stop();
  }
});
