// Fleet streams and file transfers on any replica. A conversation with an agent (a log or metrics
// stream, a download, an upload) is opened on this replica's socket when the agent is connected
// here; otherwise it is asked for on the bus ("fleet.open": node N, conversation C, reply to me)
// and the replica holding the agent's socket answers ("fleet.accept") and relays: what this
// replica sends goes to the agent through it, what the agent sends for C comes back, each
// direction in order ("fleet.frame", numbered), until either side ends it ("fleet.end"). The
// stream and transfer logic (events, refusals, limits, audit) stays on the replica asked, the
// same code as for a local socket; only the transport differs.
//
// Who holds the socket is asked, not stored: the holder itself answers at the moment of the open,
// so a replica that died holding sockets never answers for them (a presence row would name it
// until a heartbeat expired, and every replica would have to keep writing one). The cost is the
// answer deadline (answerTimeoutMs) before a 409 agent_offline when no replica holds the agent,
// and one small broadcast per open. Should two replicas both hold a socket for the node (an agent
// that reconnected before its old connection was seen closed), the first answer wins and the
// others are told to drop it.
//
// Messages larger than a NOTIFY carries (file chunks) wait in cluster_frames for their one
// recipient; the bus carries their id. Flow control is the fleet protocol's own (a transfer has at
// most FILE_WINDOW_CHUNKS unacknowledged; a stream's reader is bounded where the SSE is written);
// what waits to be published is bounded per conversation (maxQueuedBytes), as a socket's backlog
// is. A replica with relayed conversations says so every aliveMs; a peer not heard for three of
// those ends its conversations here (the agent's stream is told to stop).
import type { ClusterPayloads, FleetAgentMessage, FleetServerMessage } from '@breakwater/contracts';
import { cluster, type Db } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import { agentOffline, type AgentLinks, type AgentReach, type Conversation, type ConversationHandler } from '../services/fleet/agent-links.ts';
import type { ClusterBus } from './bus.ts';

export interface AgentRelayOptions {
  /** How long an open waits for the replica holding the agent's socket to answer (then 409 agent_offline). */
  answerTimeoutMs: number;
  /** How often a replica with relayed conversations says it is alive; a peer silent for 3× this is taken for gone. */
  aliveMs: number;
  /** Bytes of one conversation waiting to be published on the bus before it counts as saturated. */
  maxQueuedBytes: number;
}

export const DEFAULT_AGENT_RELAY: AgentRelayOptions = { answerTimeoutMs: 2_000, aliveMs: 5_000, maxQueuedBytes: 4 * 1024 * 1024 };

export interface AgentRelayDeps {
  bus: ClusterBus;
  db: Db;
  clock: Clock;
  links: AgentLinks;
  onError: (err: unknown) => void;
}

/** NOTIFY's payload limit is 8000 bytes; the event envelope (id, topic, origin) takes the rest. */
const NOTIFY_PAYLOAD_BYTES = 7_900;
/** Frames heard and not yet handed on (each may wait for its row): past this the conversation ends. */
const MAX_PENDING_IN = 512;
/** Frames nobody took (their recipient died first) are deleted after this. */
const FRAME_RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;

type Message = FleetServerMessage | FleetAgentMessage;
type Frame = ClusterPayloads['fleet.frame'];
type OutItem = { kind: 'accept' } | { kind: 'frame'; seq: number; message: Message; text: string } | { kind: 'end'; why: string | undefined };

/** One direction of a conversation on the bus: published one at a time, in order, the end last. */
class Outlet {
  readonly #publish: (item: OutItem) => Promise<void>;
  readonly #onFail: (err: unknown) => void;
  #tail: Promise<void> = Promise.resolve();
  #seq = 0;
  #ended = false;
  #cancelled = false;
  queuedBytes = 0;

  constructor(publish: (item: OutItem) => Promise<void>, onFail: (err: unknown) => void) {
    this.#publish = publish;
    this.#onFail = onFail;
  }

  get ended(): boolean {
    return this.#ended;
  }

  #queue(item: OutItem, bytes: number): void {
    this.queuedBytes += bytes;
    this.#tail = this.#tail.then(async () => {
      try {
        if (!this.#cancelled) await this.#publish(item);
      } catch (err) {
        this.#cancelled = true;
        this.#onFail(err);
      } finally {
        this.queuedBytes -= bytes;
      }
    });
  }

  accept(): void {
    this.#queue({ kind: 'accept' }, 0);
  }

  frame(message: Message): void {
    if (this.#ended) return;
    const text = JSON.stringify(message);
    this.#queue({ kind: 'frame', seq: this.#seq++, message, text }, text.length);
  }

  end(why?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue({ kind: 'end', why }, 0);
  }

  /** The other side is gone: nothing more is worth publishing. */
  cancel(): void {
    this.#ended = true;
    this.#cancelled = true;
  }

  idle(): Promise<void> {
    return this.#tail;
  }
}

/** What arrives for one conversation, handed on in order (a frame's row is read before the next is handed on). */
interface Inbound {
  seq: number;
  pending: number;
  tail: Promise<void>;
}

/** A conversation this replica asked for; another replica holds the socket. */
interface Asked {
  id: string;
  handler: ConversationHandler;
  peer: string | null;
  out: Outlet | null;
  inbound: Inbound;
  since: number;
  /** Closed by its user: nothing more is handed to it. */
  closing: boolean;
  done: boolean;
  accepted: (peer: string) => void;
}

/** A conversation this replica relays for another: it holds the agent's socket. */
interface Held {
  id: string;
  peer: string;
  local: Conversation;
  out: Outlet;
  inbound: Inbound;
  since: number;
  /** The first message the asker sent (stream.open, file.get, file.put): how to tell the agent to stop. */
  firstType: Message['type'] | null;
}

export class AgentRelay implements AgentReach {
  readonly #d: AgentRelayDeps;
  readonly #o: AgentRelayOptions;
  readonly #asked = new Map<string, Asked>();
  readonly #held = new Map<string, Held>();
  /** When each peer replica was last heard on a fleet topic (performance.now()). */
  readonly #heard = new Map<string, number>();
  readonly #offs: (() => void)[] = [];
  /** Outlets that may still be publishing (stop() waits for them). */
  readonly #outlets = new Set<Outlet>();
  #timer: NodeJS.Timeout | null = null;
  #lastPrune = 0;
  #stopped = true;

  constructor(deps: AgentRelayDeps, options: Partial<AgentRelayOptions> = {}) {
    this.#d = deps;
    this.#o = { ...DEFAULT_AGENT_RELAY };
    for (const [k, v] of Object.entries(options) as [keyof AgentRelayOptions, number | undefined][]) if (v !== undefined) this.#o[k] = v;
  }

  get #me(): string {
    return this.#d.bus.replicaId;
  }

  /** Conversations relayed through the bus on this replica (asked here, held here). */
  get relayed(): { asked: number; held: number } {
    return { asked: this.#asked.size, held: this.#held.size };
  }

  start(): void {
    this.#stopped = false;
    if (this.#d.bus.kind === 'local') return; // one process: every socket is here
    const bus = this.#d.bus;
    this.#offs.push(
      bus.subscribe('fleet.open', (p, from) => {
        if (!from.local) this.#onOpen(p, from.origin);
      }),
      bus.subscribe('fleet.accept', (p, from) => {
        if (!from.local && p.to === this.#me) this.#onAccept(p.conversation, from.origin);
      }),
      bus.subscribe('fleet.frame', (p, from) => {
        if (!from.local && p.to === this.#me) this.#onFrame(p, from.origin);
      }),
      bus.subscribe('fleet.end', (p, from) => {
        if (!from.local && p.to === this.#me) this.#onEnd(p.conversation, from.origin, p.why);
      }),
      bus.subscribe('fleet.alive', (_p, from) => {
        if (!from.local) this.#heard.set(from.origin, performance.now());
      }),
    );
    this.#timer = setInterval(() => this.#tick(), this.#o.aliveMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const h of [...this.#held.values()]) this.#dropHeld(h, 'the replica holding the agent\'s socket is stopping');
    for (const a of [...this.#asked.values()]) this.#endAsked(a, 'the server is stopping', true);
    const outlets = [...this.#outlets];
    await Promise.race([Promise.all(outlets.map((o) => o.idle())), new Promise((r) => setTimeout(r, 3_000).unref())]);
    for (const off of this.#offs.splice(0)) off();
  }

  #outlet(to: string, conversation: string, onFail: (err: unknown) => void): Outlet {
    const out = new Outlet((item) => this.#publish(to, conversation, item), (err) => {
      this.#d.onError(err);
      onFail(err);
    });
    this.#outlets.add(out);
    return out;
  }

  #forgetOutlet(out: Outlet | null): void {
    if (out) void out.idle().then(() => this.#outlets.delete(out));
  }

  async #publish(to: string, conversation: string, item: OutItem): Promise<void> {
    const bus = this.#d.bus;
    if (item.kind === 'accept') return await bus.publish('fleet.accept', { conversation, to });
    if (item.kind === 'end') return await bus.publish('fleet.end', { conversation, to, ...(item.why !== undefined ? { why: item.why } : {}) });
    const inline: Frame = { conversation, to, seq: item.seq, message: item.message };
    // As NOTIFY carries it: the payload as an escaped JSON string inside the event's JSON.
    if (Buffer.byteLength(JSON.stringify(JSON.stringify(inline))) + Buffer.byteLength(this.#me) + 100 <= NOTIFY_PAYLOAD_BYTES) {
      return await bus.publish('fleet.frame', inline);
    }
    const frameId = await cluster.putFrame(this.#d.db, { recipient: to, conversation, body: item.text, created_at: this.#d.clock.now() });
    await bus.publish('fleet.frame', { conversation, to, seq: item.seq, frame_id: frameId });
  }

  /** Opens the conversation on this replica's socket, or through the replica that holds the agent's. */
  async open(nodeId: number, id: string, handler: ConversationHandler): Promise<Conversation> {
    if (this.#d.links.connected(nodeId)) return this.#d.links.converse(nodeId, id, handler);
    if (this.#d.bus.kind === 'local' || this.#stopped) throw agentOffline();
    let accepted: (peer: string) => void = () => undefined;
    const answered = new Promise<string>((resolve) => (accepted = resolve));
    const a: Asked = { id, handler, peer: null, out: null, inbound: { seq: 0, pending: 0, tail: Promise.resolve() }, since: performance.now(), closing: false, done: false, accepted };
    this.#asked.set(id, a);
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.#d.bus.publish('fleet.open', { conversation: id, node_id: nodeId, reply_to: this.#me });
      const peer = await Promise.race([answered, new Promise<null>((r) => (timer = setTimeout(() => r(null), this.#o.answerTimeoutMs)))]);
      if (peer === null) throw agentOffline();
    } catch (err) {
      a.done = true;
      this.#asked.delete(id);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return {
      send: (msg) => {
        const out = a.out;
        if (a.done || !out || out.ended || out.queuedBytes > this.#o.maxQueuedBytes) return false;
        out.frame(msg);
        return true;
      },
      close: () => {
        if (a.closing || a.done) return;
        a.closing = true;
        // What is sent in the same turn (the stream.close or file.abort that follows a close) still goes first.
        queueMicrotask(() => this.#endAsked(a, undefined, true));
      },
    };
  }

  #endAsked(a: Asked, why: string | undefined, tellPeer: boolean): void {
    if (a.done) return;
    a.done = true;
    this.#asked.delete(a.id);
    if (tellPeer) a.out?.end(why);
    else a.out?.cancel();
    this.#forgetOutlet(a.out);
    if (!a.closing) {
      try {
        a.handler.onGone(why ?? 'the agent disconnected');
      } catch (err) {
        this.#d.onError(err);
      }
    }
  }

  /** Tells the agent to stop what the asker started, closes the local conversation and tells the asker why. */
  #dropHeld(h: Held, why: string, tellPeer = true): void {
    if (!this.#held.delete(h.id)) return;
    if (h.firstType === 'stream.open') h.local.send({ type: 'stream.close', stream_id: h.id });
    else if (h.firstType === 'file.get' || h.firstType === 'file.put') h.local.send({ type: 'file.abort', transfer_id: h.id });
    h.local.close();
    if (tellPeer) h.out.end(why);
    else h.out.cancel();
    this.#forgetOutlet(h.out);
  }

  #onOpen(p: ClusterPayloads['fleet.open'], from: string): void {
    this.#heard.set(from, performance.now());
    if (this.#stopped || p.reply_to !== from || this.#held.has(p.conversation) || !this.#d.links.connected(p.node_id)) return;
    const out = this.#outlet(from, p.conversation, () => this.#dropHeld(h, 'the relay between replicas failed', false));
    let local: Conversation;
    try {
      local = this.#d.links.converse(p.node_id, p.conversation, {
        onMessage: (m) => {
          if (!this.#held.has(h.id)) return;
          if (h.out.queuedBytes > this.#o.maxQueuedBytes) this.#dropHeld(h, `the relay between replicas fell behind (more than ${this.#o.maxQueuedBytes} bytes waiting)`);
          else h.out.frame(m);
        },
        onGone: (why) => {
          if (this.#held.delete(h.id)) {
            h.out.end(why);
            this.#forgetOutlet(h.out);
          }
        },
      });
    } catch {
      this.#outlets.delete(out);
      return; // the socket went in between: the asker waits for another answer, or none
    }
    const h: Held = { id: p.conversation, peer: from, local, out, inbound: { seq: 0, pending: 0, tail: Promise.resolve() }, since: performance.now(), firstType: null };
    this.#held.set(h.id, h);
    out.accept();
  }

  #onAccept(conversation: string, from: string): void {
    this.#heard.set(from, performance.now());
    const a = this.#asked.get(conversation);
    if (!a || a.done || (a.peer !== null && a.peer !== from)) {
      // Too late (the open gave up) or a second holder: it drops its side.
      this.#d.bus.publish('fleet.end', { conversation, to: from, why: 'answered elsewhere' }).catch(this.#d.onError);
      return;
    }
    if (a.peer !== null) return;
    a.peer = from;
    a.out = this.#outlet(from, conversation, () => this.#endAsked(a, 'the relay between replicas failed', false));
    a.accepted(from);
  }

  #onFrame(p: Frame, from: string): void {
    this.#heard.set(from, performance.now());
    const a = this.#asked.get(p.conversation);
    if (a && a.peer === from) {
      this.#receive(a.inbound, p, (m) => {
        if (!a.closing && !a.done) a.handler.onMessage(m as FleetAgentMessage);
      }, (why) => this.#endAsked(a, why, true));
      return;
    }
    const h = this.#held.get(p.conversation);
    if (h && h.peer === from) {
      this.#receive(h.inbound, p, (m) => {
        if (!this.#held.has(h.id)) return;
        h.firstType ??= m.type;
        if (!h.local.send(m as FleetServerMessage)) this.#dropHeld(h, 'the agent\'s connection is saturated');
      }, (why) => this.#dropHeld(h, why));
      return;
    }
    // A conversation not (or no longer) here: its row is not left behind, and the sender is told it is over.
    if (p.frame_id !== undefined) void cluster.takeFrame(this.#d.db, p.frame_id, this.#me).catch(this.#d.onError);
    this.#d.bus.publish('fleet.end', { conversation: p.conversation, to: from, why: 'the conversation is over' }).catch(this.#d.onError);
  }

  #receive(inb: Inbound, p: Frame, deliver: (m: Message) => void, fail: (why: string) => void): void {
    if (++inb.pending > MAX_PENDING_IN) {
      fail('the relay between replicas fell behind');
      return;
    }
    inb.tail = inb.tail.then(async () => {
      let message = p.message;
      if (p.frame_id !== undefined) {
        const row = await cluster.takeFrame(this.#d.db, p.frame_id, this.#me);
        message = row ? (JSON.parse(row.body) as Message) : undefined;
      }
      inb.pending--;
      if (!message || p.seq !== inb.seq) {
        fail('messages were lost between replicas');
        return;
      }
      inb.seq++;
      deliver(message);
    }).catch((err: unknown) => {
      this.#d.onError(err);
      fail('the relay between replicas failed');
    });
  }

  #onEnd(conversation: string, from: string, why: string | undefined): void {
    this.#heard.set(from, performance.now());
    const a = this.#asked.get(conversation);
    if (a && a.peer === from) {
      // After whatever the holder sent before it.
      a.inbound.tail = a.inbound.tail.then(() => this.#endAsked(a, why ?? 'the agent disconnected', false));
      return;
    }
    const h = this.#held.get(conversation);
    if (h && h.peer === from) {
      h.inbound.tail = h.inbound.tail.then(() => {
        if (!this.#held.delete(h.id)) return;
        h.out.cancel();
        h.local.close();
        this.#forgetOutlet(h.out);
      });
    }
  }

  #tick(): void {
    const open = this.#asked.size + this.#held.size;
    if (open > 0) this.#d.bus.publish('fleet.alive', { conversations: open }).catch(this.#d.onError);
    const now = performance.now();
    const silent = (peer: string, since: number) => Math.max(this.#heard.get(peer) ?? 0, since) < now - 3 * this.#o.aliveMs;
    for (const a of [...this.#asked.values()]) {
      if (a.peer !== null && silent(a.peer, a.since)) this.#endAsked(a, 'the replica holding the agent\'s socket stopped answering', false);
    }
    for (const h of [...this.#held.values()]) {
      if (silent(h.peer, h.since)) this.#dropHeld(h, 'the replica that asked stopped answering', false);
    }
    const wall = this.#d.clock.now();
    if (wall - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = wall;
      cluster.pruneFrames(this.#d.db, wall - FRAME_RETENTION_MS).catch(this.#d.onError);
    }
  }
}
