// The robustness properties shared by the suite's short fuzz test and scripts/fuzz.ts:
// untrusted bytes never make a decoder or the capture reader throw, loop, or point
// outside the buffer. Each check throws only when a property is violated.
import { CaptureReader } from '../capture-file/capture-reader.ts';
import { CaptureRecord } from '../capture-file/capture-record.ts';
import { decodePacket } from '../decode/decode-packet.ts';
import { DecodedPacket, type IpLayer } from '../decode/decoded-packet.ts';
import { TcpFlag } from '../decode/decoded-packet.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { ethernet, gre, ipv4, ipv6, sll2, tcp, udp } from './packet-builder.ts';
import { buildPcap } from '../capture-file/pcap-writer.ts';
import { PcapngBuilder } from './pcapng-builder.ts';

export const FUZZ_LINKTYPES = [...Object.values(Linktype), 147];

const pkt = new DecodedPacket();

function checkLayer(l: IpLayer, end: number, what: string): void {
  if (l.version === 0) return;
  if (l.payloadCaptured < 0 || l.payloadCaptured > l.payloadLength) throw new Error(`${what}: payloadCaptured ${l.payloadCaptured} of ${l.payloadLength}`);
  if (l.payloadCaptured > 0 && l.payloadOffset + l.payloadCaptured > end) throw new Error(`${what}: payload past the frame`);
  if (l.srcOffset + (l.version === 4 ? 4 : 16) > end) throw new Error(`${what}: address past the frame`);
}

export function checkDecode(linktype: number, bytes: Uint8Array, offset: number, length: number): void {
  const status = decodePacket(linktype, bytes, offset, length, pkt);
  if (status < 0 || status > 3 || status !== pkt.status) throw new Error(`bad status ${status}`);
  const end = Math.min(bytes.length, offset + length);
  checkLayer(pkt.ip, end, 'outer');
  checkLayer(pkt.inner, end, 'inner');
}

/** Reads `bytes` pushed in chunks of `sizes` (cycled); returns packets read. */
export function checkReader(bytes: Uint8Array, sizes: readonly number[]): number {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  let packets = 0;
  let o = 0;
  const drain = (): void => {
    // Every record consumes input, so more records than bytes would mean a loop.
    while (reader.next(rec)) {
      if (++packets > bytes.length) throw new Error('reader produced more records than bytes');
      if (rec.offset < 0 || rec.offset + rec.caplen > rec.buf.length) throw new Error('record outside its buffer');
      checkDecode(rec.linktype, rec.buf, rec.offset, rec.caplen);
    }
  };
  for (let i = 0; o < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length] ?? bytes.length);
    reader.push(bytes.subarray(o, o + n));
    o += n;
    drain();
  }
  reader.end();
  drain();
  if (!reader.done) throw new Error('reader not done after end()');
  return packets;
}

/** Valid frames to mutate: mutations near valid input reach deeper code than noise. */
export function seedFrames(): [number, Uint8Array][] {
  const seg = tcp({ srcPort: 1, dstPort: 80, flags: TcpFlag.syn, options: Uint8Array.of(2, 4, 5, 180) });
  const v4 = ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, options: Uint8Array.of(1, 1, 1, 0), payload: seg });
  const v6 = ipv6({ src: '::1', dst: '::2', protocol: 17, ext: [{ type: 0 }, { type: 43 }], fragment: { offset: 0, more: true, id: 1 }, payload: udp(1, 2, new Uint8Array(8)) });
  const tun = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 47, payload: gre({ protocol: 0x6558, key: 1, payload: ethernet(0x86dd, v6) }) });
  return [
    [Linktype.ethernet, ethernet(0x0800, v4, [{ tpid: 0x88a8, vid: 1 }, { tpid: 0x8100, vid: 2 }])],
    [Linktype.linuxSll2, sll2(0x86dd, v6)],
    [Linktype.raw, tun],
  ];
}

export function seedCaptures(): Uint8Array[] {
  const frames = seedFrames();
  return [
    buildPcap({ linktype: Linktype.ethernet }, frames.map(([, data], i) => ({ tsMs: i, data }))),
    buildPcap({ linktype: Linktype.raw, nanosecond: true, bigEndian: true }, [{ tsMs: 5, data: frames[2]![1] }]),
    new PcapngBuilder()
      .shb()
      .idb(Linktype.linuxSll2, 0, 9)
      .idb(Linktype.raw)
      .epb(0, 123n, frames[1]![1])
      .block(0x77, [new Uint8Array(8)])
      .spb(frames[1]![1])
      .epb(1, 5n, frames[2]![1])
      .bytes(),
  ];
}
