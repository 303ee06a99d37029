// The bounded queue between the sockets and the decoders: a socket's handler only copies a
// datagram in (or counts it dropped, per exporter, when the queue is full), so a burst of
// datagrams or a slow decode never stalls reception beyond what the queue holds.

export interface QueuedDatagram {
  data: Buffer;
  address: string;
  port: number;
  /** Which listener received it (netflow, ipfix, sflow). */
  listener: string;
  receivedAt: number;
}

/** Exporters tracked for drop counts; past this, drops count under "*". */
const MAX_TRACKED = 4096;

export class DatagramQueue {
  readonly #ring: (QueuedDatagram | undefined)[];
  #head = 0;
  #size = 0;
  readonly #drops = new Map<string, number>();
  #dropped = 0;

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#ring = new Array<QueuedDatagram | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Datagrams dropped because the queue was full, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** False (and counted) when full. */
  push(d: QueuedDatagram): boolean {
    if (this.#size === this.capacity) {
      this.#dropped++;
      const key = this.#drops.has(d.address) || this.#drops.size < MAX_TRACKED ? d.address : '*';
      this.#drops.set(key, (this.#drops.get(key) ?? 0) + 1);
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.capacity] = d;
    this.#size++;
    return true;
  }

  shift(): QueuedDatagram | undefined {
    if (this.#size === 0) return undefined;
    const d = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return d;
  }

  /** Queue drops of one exporter. */
  dropsOf(address: string): number {
    return this.#drops.get(address) ?? 0;
  }
}
