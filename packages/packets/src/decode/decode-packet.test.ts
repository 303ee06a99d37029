import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from './decode-packet.ts';
import { DecodedPacket, DecodeStatus, Decoder, DECODER_NAMES, ExtHeaderBit, IpProto, TcpFlag } from './decoded-packet.ts';
import { formatIp } from './format-address.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { ascii, concat, ethernet, gre, icmp, ipv4, ipv6, sll, sll2, tcp, u32, udp } from '../testing/packet-builder.ts';

const pkt = new DecodedPacket();

function decode(linktype: number, frame: Uint8Array): DecodedPacket {
  decodePacket(linktype, frame, 0, frame.length, pkt);
  return pkt;
}

function errorName(p: DecodedPacket): string {
  return DECODER_NAMES[p.errorDecoder]!;
}

const synWithMss = tcp({ srcPort: 40000, dstPort: 80, flags: TcpFlag.syn, seq: 7, options: Uint8Array.of(2, 4, 0x05, 0xb4), payload: ascii('GET') });

void test('Ethernet / IPv4 / TCP: addresses, ports, flags, header and payload lengths', () => {
  const frame = ethernet(0x0800, ipv4({ src: '10.200.0.1', dst: '10.200.0.5', protocol: 6, ttl: 57, payload: synWithMss }));
  const p = decode(Linktype.ethernet, frame);
  assert.equal(p.status, DecodeStatus.ok);
  assert.equal(p.etherType, 0x0800);
  assert.equal(p.ip.version, 4);
  assert.equal(formatIp(p.buf, p.ip.srcOffset, 4), '10.200.0.1');
  assert.equal(formatIp(p.buf, p.ip.dstOffset, 4), '10.200.0.5');
  assert.equal(p.ip.src4, 0x0ac80001);
  assert.equal(p.ip.ttl, 57);
  assert.equal(p.ip.protocol, IpProto.tcp);
  assert.equal(p.ip.totalLength, 20 + 24 + 3);
  assert.equal(p.ip.fragment, false);
  assert.equal(p.ip.srcPort, 40000);
  assert.equal(p.ip.dstPort, 80);
  assert.equal(p.ip.tcpFlags, TcpFlag.syn);
  assert.equal(p.ip.tcpSeq, 7);
  assert.equal(p.ip.tcpHeaderLength, 24);
  assert.equal(p.ip.tcpOptionsLength, 4);
  assert.equal(p.ip.payloadOffset, 14 + 20 + 24);
  assert.equal(p.ip.payloadLength, 3);
  assert.equal(Buffer.from(p.buf.subarray(p.ip.payloadOffset, p.ip.payloadOffset + p.ip.payloadCaptured)).toString(), 'GET');
});

void test('the ninth TCP flag (NS) and XMAS flags are kept', () => {
  const seg = tcp({ srcPort: 1, dstPort: 2, flags: TcpFlag.ns | TcpFlag.fin | TcpFlag.psh | TcpFlag.urg });
  const p = decode(Linktype.raw, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, payload: seg }));
  assert.equal(p.ip.tcpFlags, 0x129);
});

void test('802.1Q and QinQ tags are skipped and their VLAN IDs kept', () => {
  const inner = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp(53, 5353) });
  let p = decode(Linktype.ethernet, ethernet(0x0800, inner, [{ tpid: 0x8100, vid: 42 }]));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.vlanCount, p.vlan0, p.ip.srcPort, p.ip.dstPort], [1, 42, 53, 5353]);
  p = decode(
    Linktype.ethernet,
    ethernet(0x0800, inner, [
      { tpid: 0x88a8, vid: 100 },
      { tpid: 0x8100, vid: 0x2000 | 200 },
    ]),
  );
  assert.deepEqual([p.vlanCount, p.vlan0, p.vlan1, p.ip.protocol, p.ip.dstPort], [2, 100, 200, 17, 5353]);
});

void test('non-IP EtherTypes decode as ok with no IP layer', () => {
  const p = decode(Linktype.ethernet, ethernet(0x0806, new Uint8Array(28)));
  assert.equal(p.status, DecodeStatus.ok);
  assert.equal(p.etherType, 0x0806);
  assert.equal(p.ip.version, 0);
});

void test('Linux cooked capture v1 and v2', () => {
  const inner = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 17, payload: udp(123, 4444, new Uint8Array(48)) });
  let p = decode(Linktype.linuxSll, sll(0x86dd, inner, 4));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.sllPacketType, p.ip.version, p.ip.srcPort, p.ip.payloadLength], [4, 6, 123, 48]);
  p = decode(Linktype.linuxSll2, sll2(0x86dd, inner, 7, 1));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.ifIndex, p.sllPacketType, p.ip.version, p.ip.dstPort], [7, 1, 6, 4444]);
  assert.equal(formatIp(p.buf, p.ip.srcOffset, 6), '2001:db8::1');
});

void test('raw IP linktypes pick IPv4 or IPv6 by the version nibble', () => {
  const v4 = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 1, payload: icmp(8, 0) });
  const v6 = ipv6({ src: '::1', dst: '::2', protocol: 58, payload: icmp(128, 0) });
  for (const lt of [Linktype.raw, Linktype.rawAlt12, Linktype.rawAlt14]) {
    assert.equal(decode(lt, v4).ip.version, 4);
    assert.equal(decode(lt, v6).ip.version, 6);
  }
  assert.equal(decode(Linktype.ipv4, v4).ip.icmpType, 8);
  assert.equal(decode(Linktype.ipv6, v6).ip.icmpType, 128);
  assert.equal(decode(Linktype.ipv4, v6).status, DecodeStatus.malformed);
});

void test('BSD loopback in either byte order', () => {
  const v4 = ipv4({ src: '127.0.0.1', dst: '127.0.0.1', protocol: 17, payload: udp(1, 2) });
  assert.equal(decode(Linktype.null, concat(Uint8Array.of(2, 0, 0, 0), v4)).ip.version, 4);
  assert.equal(decode(Linktype.loop, concat(u32(2), v4)).ip.version, 4);
  const v6 = ipv6({ src: '::1', dst: '::1', protocol: 17, payload: udp(1, 2) });
  assert.equal(decode(Linktype.null, concat(Uint8Array.of(30, 0, 0, 0), v6)).ip.version, 6);
});

void test('IPv4 options are skipped and counted', () => {
  const recordRoute = Uint8Array.of(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1);
  const p = decode(Linktype.raw, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 17, options: recordRoute, payload: udp(9, 10) }));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.ip.headerLength, p.ip.optionsLength, p.ip.srcPort, p.ip.dstPort], [32, 12, 9, 10]);
});

void test('IPv4 fragments: the first carries ports, later ones only offset', () => {
  const first = decode(Linktype.raw, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 17, id: 77, moreFragments: true, payload: udp(1000, 2000, new Uint8Array(16)) }));
  assert.deepEqual([first.ip.fragment, first.ip.moreFragments, first.ip.fragmentOffset, first.ip.id, first.ip.dstPort], [true, true, 0, 77, 2000]);
  const later = decode(Linktype.raw, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 17, fragmentOffset: 1480, payload: new Uint8Array(24) }));
  assert.equal(later.status, DecodeStatus.ok);
  assert.deepEqual([later.ip.fragment, later.ip.moreFragments, later.ip.fragmentOffset, later.ip.transport, later.ip.payloadLength], [true, false, 1480, false, 24]);
  // A tiny first fragment that splits the TCP header is counted as a fragment, not an error.
  const tiny = decode(Linktype.raw, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, moreFragments: true, payload: new Uint8Array(8) }));
  assert.equal(tiny.status, DecodeStatus.ok);
  assert.equal(tiny.ip.transport, false);
});

void test('IPv6 extension headers are walked to the transport', () => {
  const p = decode(
    Linktype.raw,
    ipv6({
      src: '2001:db8::a',
      dst: 'ff02::16',
      protocol: 6,
      hopLimit: 1,
      ext: [{ type: 0 }, { type: 43, body: new Uint8Array(22) }, { type: 60 }],
      payload: tcp({ srcPort: 5, dstPort: 443, flags: TcpFlag.ack }),
    }),
  );
  assert.equal(p.status, DecodeStatus.ok);
  assert.equal(p.ip.protocol, 6);
  assert.equal(p.ip.headerLength, 40 + 8 + 24 + 8);
  assert.equal(p.ip.extHeaders, (1 << ExtHeaderBit.hopByHop) | (1 << ExtHeaderBit.routing) | (1 << ExtHeaderBit.destination));
  assert.deepEqual([p.ip.dstPort, p.ip.tcpFlags, p.ip.ttl], [443, TcpFlag.ack, 1]);
});

void test('IPv6 fragments: first fragment decodes the transport, later ones stop at the fragment header', () => {
  const first = decode(Linktype.raw, ipv6({ src: '::1', dst: '::2', protocol: 58, fragment: { offset: 0, more: true, id: 0xdeadbeef }, payload: icmp(128, 0, new Uint8Array(32)) }));
  assert.deepEqual([first.status, first.ip.fragment, first.ip.moreFragments, first.ip.id, first.ip.icmpType], [0, true, true, 0xdeadbeef, 128]);
  const later = decode(Linktype.raw, ipv6({ src: '::1', dst: '::2', protocol: 58, fragment: { offset: 1232, more: false, id: 1 }, payload: new Uint8Array(40) }));
  assert.deepEqual([later.status, later.ip.fragmentOffset, later.ip.protocol, later.ip.transport, later.ip.payloadLength], [0, 1232, 58, false, 40]);
});

void test('GRE carrying IPv4, IPv6 and Ethernet (TEB) decodes the inner packet', () => {
  const innerV4 = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', protocol: 17, ttl: 9, payload: udp(11, 22) });
  let p = decode(Linktype.raw, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 47, payload: gre({ protocol: 0x0800, key: 0xabcd, seq: 3, checksum: true, payload: innerV4 }) }));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.ip.protocol, p.ip.greProtocol, p.ip.greKey], [47, 0x0800, 0xabcd]);
  assert.deepEqual([p.inner.version, p.inner.ttl, p.inner.srcPort, p.inner.dstPort], [4, 9, 11, 22]);
  assert.equal(formatIp(p.buf, p.inner.srcOffset, 4), '172.16.0.1');

  const innerV6 = ipv6({ src: '2001:db8::5', dst: '2001:db8::6', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 22, flags: TcpFlag.syn }) });
  p = decode(Linktype.raw, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 47, payload: gre({ protocol: 0x86dd, payload: innerV6 }) }));
  assert.deepEqual([p.inner.version, p.inner.dstPort, p.inner.tcpFlags], [6, 22, TcpFlag.syn]);

  const teb = ethernet(0x0800, innerV4, [{ tpid: 0x8100, vid: 5 }]);
  p = decode(Linktype.raw, ipv6({ src: '::1', dst: '::2', protocol: 47, payload: gre({ protocol: 0x6558, payload: teb }) }));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.ip.version, p.ip.greProtocol, p.innerEtherType, p.inner.version, p.inner.dstPort], [6, 0x6558, 0x0800, 4, 22]);
  assert.equal(p.vlanCount, 0, 'inner VLAN tags do not overwrite the outer ones');
});

void test('GRE inside GRE is recorded but not walked', () => {
  const innermost = ipv4({ src: '3.3.3.3', dst: '4.4.4.4', protocol: 17, payload: udp(1, 2) });
  const mid = ipv4({ src: '2.2.2.2', dst: '2.2.2.3', protocol: 47, payload: gre({ protocol: 0x0800, payload: innermost }) });
  const p = decode(Linktype.raw, ipv4({ src: '1.1.1.1', dst: '1.1.1.2', protocol: 47, payload: gre({ protocol: 0x0800, payload: mid }) }));
  assert.equal(p.status, DecodeStatus.ok);
  assert.deepEqual([p.inner.protocol, p.inner.greProtocol, p.inner.srcPort], [47, 0x0800, 0]);
});

void test('IP-in-IP tunnels decode the inner packet', () => {
  const inner = ipv6({ src: '::5', dst: '::6', protocol: 17, payload: udp(7, 8) });
  const p = decode(Linktype.raw, ipv4({ src: '1.1.1.1', dst: '1.1.1.2', protocol: 41, payload: inner }));
  assert.deepEqual([p.status, p.inner.version, p.inner.dstPort], [0, 6, 8]);
});

void test('malformed headers are reported with the decoder that found them', () => {
  const cases: [string, number, Uint8Array][] = [
    ['ipv4', Linktype.ethernet, ethernet(0x0800, Uint8Array.of(0x45, ...new Uint8Array(19)).map((v, i) => (i === 0 ? 0x44 : v)))],
    ['ipv4', Linktype.raw, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2), totalLength: 12 })],
    ['ipv6', Linktype.ethernet, ethernet(0x86dd, new Uint8Array(40))],
    ['tcp', Linktype.raw, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 2, flags: 2 }).map((v, i) => (i === 12 ? 0x40 : v)) })],
    ['udp', Linktype.raw, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2).map((v, i) => (i === 5 ? 4 : v)) })],
    ['gre', Linktype.raw, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 47, payload: Uint8Array.of(0, 5, 8, 0) })],
  ];
  for (const [decoder, lt, frame] of cases) {
    const p = decode(lt, frame);
    assert.equal(p.status, DecodeStatus.malformed, decoder);
    assert.equal(errorName(p), decoder);
  }
});

void test('a layer decoded before an error keeps its fields', () => {
  const bad = ipv4({ src: '9.9.9.9', dst: '8.8.8.8', protocol: 17, ttl: 3, payload: udp(1, 2).map((v, i) => (i === 5 ? 2 : v)) });
  const p = decode(Linktype.raw, bad);
  assert.equal(p.status, DecodeStatus.malformed);
  assert.deepEqual([p.ip.version, p.ip.ttl, p.ip.src4, p.ip.protocol], [4, 3, 0x09090909, 17]);
});

void test('every truncation of a valid frame is either ok (payload cut) or truncated, never a throw', () => {
  const frames: [number, Uint8Array][] = [
    [Linktype.ethernet, ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: synWithMss }), [{ tpid: 0x8100, vid: 1 }])],
    [Linktype.linuxSll2, sll2(0x86dd, ipv6({ src: '::1', dst: '::2', protocol: 17, ext: [{ type: 0 }], payload: udp(1, 2, new Uint8Array(10)) }))],
    [Linktype.raw, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 47, payload: gre({ protocol: 0x0800, key: 1, payload: ipv4({ src: '3.3.3.3', dst: '4.4.4.4', protocol: 17, payload: udp(5, 6, ascii('x')) }) }) })],
  ];
  for (const [lt, frame] of frames) {
    const full = decode(lt, frame);
    assert.equal(full.status, DecodeStatus.ok);
    const payloadStart = full.inner.version !== 0 ? full.inner.payloadOffset : full.ip.payloadOffset;
    for (let len = 0; len < frame.length; len++) {
      decodePacket(lt, frame, 0, len, pkt);
      if (len >= payloadStart) {
        assert.equal(pkt.status, DecodeStatus.ok, `len ${len}`);
        assert.equal(pkt.ip.payloadCaptured + pkt.ip.payloadOffset <= len || pkt.inner.version !== 0, true);
      } else {
        assert.equal(pkt.status, DecodeStatus.truncated, `len ${len} of ${frame.length}`);
      }
    }
  }
});

void test('the window is clamped to the buffer and unknown linktypes are reported', () => {
  const frame = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2) });
  assert.equal(decodePacket(Linktype.raw, frame, 0, 10_000, pkt), DecodeStatus.ok);
  assert.equal(decodePacket(Linktype.raw, frame, 10_000, 5, pkt), DecodeStatus.truncated);
  assert.equal(decodePacket(Linktype.raw, frame, -1, 5, pkt), DecodeStatus.truncated);
  assert.equal(decodePacket(147, frame, 0, frame.length, pkt), DecodeStatus.unsupportedLinktype);
  assert.equal(pkt.errorDecoder, Decoder.link);
});

void test('decoding at an offset inside a larger buffer reads only the window', () => {
  const frame = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2, ascii('hello')) });
  const big = concat(new Uint8Array(100), frame, new Uint8Array(50).fill(0xff));
  const p = decode(Linktype.raw, frame);
  const expected = [p.ip.src4, p.ip.dstPort, p.ip.payloadLength];
  decodePacket(Linktype.raw, big, 100, frame.length, pkt);
  assert.deepEqual([pkt.ip.src4, pkt.ip.dstPort, pkt.ip.payloadLength], expected);
  assert.equal(pkt.ip.payloadOffset, 100 + 28);
});
