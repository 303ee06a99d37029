// The attack's PCAP: a ring of the last N packets (so the capture shows how the attack
// began) in one preallocated buffer — no allocation per packet — and, while an incident
// is open, every packet appended to its file up to a byte cap.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcapHeader, encodePcapRecord, PCAP_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH, type CaptureRecord } from '@breakwater/packets';

export interface PcapRecorderOptions {
  dir: string;
  ringPackets: number;
  maxBytes: number;
  snaplen: number;
  /** Until the first packet says otherwise (it carries the interface's linktype). */
  linktype: number;
}

interface Open {
  fd: number;
  path: string;
  bytes: number;
  packets: number;
  truncated: boolean;
}

export class PcapRecorder {
  readonly #o: PcapRecorderOptions;
  readonly #slot: number;
  readonly #ring: Uint8Array;
  readonly #lens: Int32Array;
  #next = 0;
  #filled = 0;
  readonly #open = new Map<string, Open>();
  readonly #scratch: Uint8Array;
  #linktype: number;

  constructor(o: PcapRecorderOptions) {
    this.#o = o;
    this.#slot = PCAP_RECORD_HEADER_LENGTH + o.snaplen;
    this.#ring = new Uint8Array(Math.max(1, o.ringPackets) * this.#slot);
    this.#lens = new Int32Array(Math.max(1, o.ringPackets));
    this.#scratch = new Uint8Array(this.#slot);
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
    const n = encodePcapRecord(this.#scratch, 0, rec.tsSec, tsUs, rec.buf, rec.offset, caplen, rec.origlen);
    for (const f of this.#open.values()) this.#write(f, this.#scratch, 0, n);
  };

  /** Opens the incident's file with the ring's packets first. */
  begin(id: string): void {
    if (this.#open.has(id)) return;
    const path = join(this.#o.dir, `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.pcap`);
    const fd = openSync(path, 'w', 0o600);
    const header = new Uint8Array(PCAP_HEADER_LENGTH);
    encodePcapHeader(header, 0, { linktype: this.#linktype, snaplen: this.#o.snaplen });
    writeSync(fd, header);
    const f: Open = { fd, path, bytes: PCAP_HEADER_LENGTH, packets: 0, truncated: false };
    const start = this.#filled < this.#lens.length ? 0 : this.#next;
    for (let i = 0; i < this.#filled; i++) {
      const slot = (start + i) % this.#lens.length;
      this.#write(f, this.#ring, slot * this.#slot, this.#lens[slot]!);
    }
    this.#open.set(id, f);
  }

  /** Closes the incident's file; its path, ready to upload. */
  end(id: string): { path: string; packets: number; bytes: number; truncated: boolean } | null {
    const f = this.#open.get(id);
    if (!f) return null;
    this.#open.delete(id);
    closeSync(f.fd);
    return { path: f.path, packets: f.packets, bytes: f.bytes, truncated: f.truncated };
  }

  #write(f: Open, buf: Uint8Array, offset: number, length: number): void {
    if (f.bytes + length > this.#o.maxBytes) {
      f.truncated = true;
      return;
    }
    writeSync(f.fd, buf, offset, length);
    f.bytes += length;
    f.packets++;
  }
}
