// Hand-built frames with known fields, for tests that check what the server decodes.
import { buildPcap } from '@breakwater/packets';
function checksumless(ipHeader: Buffer): Buffer {
  return ipHeader; // checksums are not verified by the decoders; leave them zero
}

export function ethIpv4(opts: { src: string; dst: string; proto: number; ttl?: number; l4: Buffer; fragOffset?: number; moreFragments?: boolean }): Buffer {
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + opts.l4.length, 2);
  ip.writeUInt16BE(((opts.moreFragments ? 1 : 0) << 13) | ((opts.fragOffset ?? 0) / 8), 6);
  ip[8] = opts.ttl ?? 64;
  ip[9] = opts.proto;
  Buffer.from(opts.src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(opts.dst.split('.').map(Number)).copy(ip, 16);
  return Buffer.concat([eth, checksumless(ip), opts.l4]);
}

export function udp(sport: number, dport: number, payload: number): Buffer {
  const b = Buffer.alloc(8 + payload);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(8 + payload, 4);
  return b;
}

export function tcp(sport: number, dport: number, flags: number, payload = 0): Buffer {
  const b = Buffer.alloc(20 + payload);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b[12] = 5 << 4;
  b[13] = flags;
  b.writeUInt16BE(65535, 14);
  return b;
}

/** A classic µs pcap of Ethernet frames, one per millisecond from `startMs`. */
export function pcapOf(frames: Buffer[], startMs = Date.UTC(2026, 10, 22, 12, 0, 0)): Buffer {
  return Buffer.from(buildPcap({ linktype: 1 }, frames.map((data, i) => ({ tsMs: startMs + i, data }))));
}

/** A little-endian pcapng (one Ethernet interface, µs timestamps) of `frames`. */
export function pcapngOf(frames: Buffer[], startMs = Date.UTC(2026, 10, 22, 12, 0, 0)): Buffer {
  const block = (type: number, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(type, 0);
    head.writeUInt32LE(12 + body.length, 4);
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(12 + body.length, 0);
    return Buffer.concat([head, body, tail]);
  };
  const shb = Buffer.alloc(16, 0xff);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(262_144, 4);
  const epbs = frames.map((data, i) => {
    const us = BigInt(startMs + i) * 1000n;
    const h = Buffer.alloc(20);
    h.writeUInt32LE(0, 0);
    h.writeUInt32LE(Number(us >> 32n), 4);
    h.writeUInt32LE(Number(us & 0xffffffffn), 8);
    h.writeUInt32LE(data.length, 12);
    h.writeUInt32LE(data.length, 16);
    return block(6, Buffer.concat([h, data, Buffer.alloc((4 - (data.length % 4)) % 4)]));
  });
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...epbs]);
}
