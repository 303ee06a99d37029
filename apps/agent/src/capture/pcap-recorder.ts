// The attack's PCAP: a ring of the last N packets (so the capture shows how the attack
// began) in one preallocated buffer — no allocation per packet — and, while an incident
// is open, every packet appended to its file up to a byte cap. A long attack's capture is
// cut into parts (by age or size); each closed part is handed over at once to be uploaded,
// so the server has the first minutes of a long attack while it still lasts, and the agent's
// disk holds only the part being written. Writes go through a buffer per file: a flood of
// 400 kpps must not become 400k write calls a second.
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcapHeader, encodePcapRecord, PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, type CaptureRecord } from '@breakwater/packets';

export interface PcapRecorderOptions {
  dir: string;
  ringPackets: number;
  /** Cap on an incident's capture, all parts together. */
  maxBytes: number;
  snaplen: number;
  /** Until the first packet says otherwise (it carries the interface's linktype). */
  linktype: number;
  /** A part is closed once it is this old (ms)... */
  partMs?: number;
  /** ...or this large (bytes), whichever comes first. */
  partBytes?: number;
  /** Bytes buffered per file before a write (default 256 KiB). */
  writeBuffer?: number;
}

export interface PcapRecorderDeps {
  now: () => number;
  /** A closed part of a still-open incident, ready to upload. */
  onPart?: (id: string, part: PcapPart) => void;
}

export interface PcapPart {
  path: string;
  /** 1, 2, … in capture order. */
  part: number;
  packets: number;
  bytes: number;
  /** The incident's cap was reached in this part: later packets were not kept. */
  truncated: boolean;
}

interface Open {
  id: string;
  fd: number;
  path: string;
  part: number;
  openedAt: number;
  bytes: number;
  packets: number;
  /** Bytes of the incident's earlier parts. */
  before: number;
  truncated: boolean;
  buf: Uint8Array;
  used: number;
}

export class PcapRecorder {
  readonly #o: Required<PcapRecorderOptions>;
  readonly #d: PcapRecorderDeps;
  readonly #slot: number;
  readonly #ring: Uint8Array;
  readonly #lens: Int32Array;
  #next = 0;
  #filled = 0;
  readonly #open = new Map<string, Open>();
  #linktype: number;

  constructor(o: PcapRecorderOptions, d: PcapRecorderDeps = { now: () => Date.now() }) {
    this.#slot = PCAP_RECORD_HEADER_LENGTH + o.snaplen;
    this.#o = { partMs: Number.POSITIVE_INFINITY, partBytes: Number.POSITIVE_INFINITY, ...o, writeBuffer: Math.max(this.#slot + PCAP_HEADER_LENGTH, o.writeBuffer ?? 256 * 1024) };
    this.#d = d;
    this.#ring = new Uint8Array(Math.max(1, o.ringPackets) * this.#slot);
    this.#lens = new Int32Array(Math.max(1, o.ringPackets));
    this.#linktype = o.linktype;
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  }

  /** Every captured packet: into the ring, and into each open incident's file. */
  readonly onRecord = (rec: CaptureRecord): void => {
    this.#linktype = rec.linktype;
    const caplen = Math.min(rec.caplen, this.#o.snaplen);
    const tsUs = Math.floor(rec.tsNs / 1000);
    if (this.#o.ringPackets > 0) {
      const n = encodePcapRecord(this.#ring, this.#next * this.#slot, rec.tsSec, tsUs, rec.buf, rec.offset, caplen, rec.origlen);
      this.#lens[this.#next] = n;
      this.#next = (this.#next + 1) % this.#lens.length;
      if (this.#filled < this.#lens.length) this.#filled++;
    }
    if (this.#open.size === 0) return;
    const n = PCAP_RECORD_HEADER_LENGTH + caplen;
    for (const open of this.#open.values()) {
      const f = !open.truncated && open.packets > 0 && open.bytes + n > this.#o.partBytes ? this.#rotate(open) : open;
      if (!this.#room(f, n)) continue;
      // encoded straight into the file's buffer: no copy, no allocation
      f.used += encodePcapRecord(f.buf, f.used, rec.tsSec, tsUs, rec.buf, rec.offset, caplen, rec.origlen);
      f.bytes += n;
      f.packets++;
    }
  };

  /** Closes parts that have reached their age; call it every tick or so. */
  tick(): void {
    const now = this.#d.now();
    for (const f of [...this.#open.values()]) if (now - f.openedAt >= this.#o.partMs && f.packets > 0 && !f.truncated) this.#rotate(f);
  }

  /** Opens the incident's file with the ring's packets first. */
  begin(id: string): void {
    if (this.#open.has(id)) return;
    const f = this.#openPart(id, 1, 0);
    const start = this.#filled < this.#lens.length ? 0 : this.#next;
    for (let i = 0; i < this.#filled; i++) {
      const slot = (start + i) % this.#lens.length;
      this.#write(f, this.#ring, slot * this.#slot, this.#lens[slot]!);
    }
  }

  /** Closes the incident's last part; its path, ready to upload (null: nothing left to send). */
  end(id: string): PcapPart | null {
    const f = this.#open.get(id);
    if (!f) return null;
    this.#open.delete(id);
    const last = this.#close(f);
    if (last.part > 1 && last.packets === 0) {
      // a part opened just before the end, with nothing in it
      rmSync(last.path, { force: true });
      return null;
    }
    return last;
  }

  #openPart(id: string, part: number, before: number): Open {
    const safe = id.replace(/[^A-Za-z0-9_-]/g, '_');
    const path = join(this.#o.dir, part === 1 ? `${safe}.pcap` : `${safe}.part${part}.pcap`);
    const fd = openSync(path, 'w', 0o600);
    const f: Open = { id, fd, path, part, openedAt: this.#d.now(), bytes: 0, packets: 0, before, truncated: false, buf: new Uint8Array(this.#o.writeBuffer), used: 0 };
    encodePcapHeader(f.buf, 0, { linktype: this.#linktype, snaplen: this.#o.snaplen });
    f.used = f.bytes = PCAP_HEADER_LENGTH;
    this.#open.set(id, f);
    return f;
  }

  #rotate(f: Open): Open {
    const done = this.#close(f);
    const next = this.#openPart(f.id, f.part + 1, f.before + f.bytes);
    this.#d.onPart?.(f.id, done);
    return next;
  }

  #close(f: Open): PcapPart {
    this.#flush(f);
    closeSync(f.fd);
    return { path: f.path, part: f.part, packets: f.packets, bytes: f.bytes, truncated: f.truncated };
  }

  #flush(f: Open): void {
    let off = 0;
    while (off < f.used) off += writeSync(f.fd, f.buf, off, f.used - off);
    f.used = 0;
  }

  /** False when the incident's cap is reached; otherwise the buffer has room for `length`. */
  #room(f: Open, length: number): boolean {
    if (f.before + f.bytes + length > this.#o.maxBytes) {
      f.truncated = true;
      return false;
    }
    if (f.used + length > f.buf.length) this.#flush(f);
    return true;
  }

  #write(f: Open, buf: Uint8Array, offset: number, length: number): void {
    if (!this.#room(f, length)) return;
    f.buf.set(buf.subarray(offset, offset + length), f.used);
    f.used += length;
    f.bytes += length;
    f.packets++;
  }
}
