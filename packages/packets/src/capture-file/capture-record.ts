/**
 * One packet from a capture, refilled in place by the reader: `buf[offset .. offset+caplen)`
 * is a view on the reader's buffer, valid until the next `push()` into that reader.
 */
export class CaptureRecord {
  linktype = 0;
  /** pcapng interface index (0 for pcap). */
  interfaceId = 0;
  /** Whole seconds since the Unix epoch. */
  tsSec = 0;
  /** Nanoseconds within that second. */
  tsNs = 0;
  /** Milliseconds since the Unix epoch, fractional (sub-µs precision at present-day dates). */
  tsMs = 0;
  /** Bytes captured (present in `buf`). */
  caplen = 0;
  /** Bytes the packet had on the wire. */
  origlen = 0;
  buf: Uint8Array = new Uint8Array(0);
  offset = 0;

  /** Copies the captured bytes out (allocates: for keeping a packet past the next push). */
  copyData(): Uint8Array {
    return this.buf.slice(this.offset, this.offset + this.caplen);
  }
}
