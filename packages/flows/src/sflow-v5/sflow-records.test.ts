// sFlow v5 shapes the exporters here do not send (expanded samples, IPv6 agents, sampled
// IPv4/IPv6 records, MPLS header protocol, chosen counters), built with our own builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpFlag } from '@breakwater/packets';
import { concat, ethernet, ipv4, ipv6, tcp, u32, udp } from '@breakwater/packets/testing';
import {
  nonZeroErrors,
  sflowCounterSample,
  sflowDatagram,
  sflowExtendedSwitch,
  sflowFlowSample,
  sflowGenericInterface,
  sflowOpaque,
  sflowRawHeader,
  sflowSampledIpv4,
  sflowSampledIpv6,
  strictDecoder,
} from '../testing/index.ts';

const FROM = { address: '2001:db8:ff::1', port: 6343 };
const NOW = 1_767_225_600_000;
const syn = ipv4({ src: '203.0.113.9', dst: '198.51.100.20', protocol: 6, ttl: 47, payload: tcp({ srcPort: 3333, dstPort: 443, flags: TcpFlag.syn }) });

test('expanded flow samples from an IPv6 agent: agent, sub-agent, ifIndexes, rate and packet fields', () => {
  const d = strictDecoder();
  const dg = sflowDatagram({
    agent: '2001:db8::7',
    subAgent: 3,
    samples: [sflowFlowSample({ expanded: true, rate: 2048, input: 17, output: 18, records: [sflowRawHeader(1, ethernet(0x0800, syn), 1518)] })],
  });
  const [r, ...rest] = d.decode(dg, FROM, NOW);
  assert.equal(rest.length, 0);
  assert.ok(r);
  assert.deepEqual(
    [r.exporter, r.agent, r.domain, r.inputIf, r.outputIf, r.srcAddr, r.dstAddr, r.srcPort, r.dstPort, r.tcpFlags, r.ttl],
    [FROM.address, '2001:db8::7', 3, 17, 18, '203.0.113.9', '198.51.100.20', 3333, 443, TcpFlag.syn, 47],
  );
  assert.deepEqual([r.packetsRaw, r.bytesRaw, r.samplingRate, r.packets, r.bytes], [1, 1518, 2048, 2048, 1518 * 2048]);
  assert.deepEqual([r.startMs, r.endMs, r.receivedAtMs], [NOW, NOW, NOW]);
});

test('header protocols IPv4 (11), IPv6 (12) and MPLS (13, label stack popped) reach the IP header', () => {
  const d = strictDecoder();
  const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 17, hopLimit: 9, payload: udp(123, 40000, new Uint8Array(40)) });
  const labels = concat(u32((16 << 12) | 64), u32((17 << 12) | 0x100 | 64));
  const records = d.decode(
    sflowDatagram({
      agent: '192.0.2.1',
      samples: [
        sflowFlowSample({ rate: 1, records: [sflowRawHeader(11, syn)] }),
        sflowFlowSample({ rate: 1, records: [sflowRawHeader(12, v6)] }),
        sflowFlowSample({ rate: 1, records: [sflowRawHeader(13, concat(labels, v6))] }),
      ],
    }),
    FROM,
    NOW,
  );
  assert.deepEqual(
    records.map((r) => [r.ipVersion, r.dstAddr, r.dstPort, r.ttl]),
    [
      [4, '198.51.100.20', 443, 47],
      [6, '2001:db8::2', 40000, 9],
      [6, '2001:db8::2', 40000, 9],
    ],
  );
});

test('QinQ-tagged Ethernet gives the outer VLAN; extended switch data gives it when the header has none', () => {
  const d = strictDecoder();
  const records = d.decode(
    sflowDatagram({
      agent: '192.0.2.1',
      samples: [
        sflowFlowSample({ rate: 1, records: [sflowRawHeader(1, ethernet(0x0800, syn, [{ tpid: 0x88a8, vid: 300 }, { tpid: 0x8100, vid: 42 }]))] }),
        sflowFlowSample({ rate: 1, records: [sflowExtendedSwitch(77), sflowRawHeader(1, ethernet(0x0800, syn))] }),
      ],
    }),
    FROM,
    NOW,
  );
  assert.deepEqual(records.map((r) => [r.vlan, r.dstPort]), [[300, 443], [77, 443]]);
});

test('sampled IPv4/IPv6 records stand in for a raw header; IP fragments and TTL come from the packet', () => {
  const d = strictDecoder();
  const frag = ipv4({ src: '203.0.113.1', dst: '198.51.100.1', protocol: 17, ttl: 3, moreFragments: true, payload: udp(53, 1, new Uint8Array(100)) });
  const records = d.decode(
    sflowDatagram({
      agent: '192.0.2.1',
      samples: [
        sflowFlowSample({ rate: 10, records: [sflowSampledIpv4({ length: 1000, protocol: 6, src: '10.1.1.1', dst: '10.2.2.2', srcPort: 1, dstPort: 22, tcpFlags: 0x12, tos: 8 })] }),
        sflowFlowSample({ rate: 10, records: [sflowSampledIpv6({ length: 80, protocol: 17, src: '2001:db8::a', dst: '2001:db8::b', srcPort: 5, dstPort: 6 })] }),
        sflowFlowSample({ rate: 10, records: [sflowRawHeader(11, frag)] }),
      ],
    }),
    FROM,
    NOW,
  );
  assert.deepEqual(
    records.map((r) => [r.srcAddr, r.dstAddr, r.dstPort, r.ipProtocol, r.tcpFlags, r.tos, r.bytesRaw, r.bytes, r.fragment, r.ttl]),
    [
      ['10.1.1.1', '10.2.2.2', 22, 6, 0x12, 8, 1000, 10_000, false, 0],
      ['2001:db8::a', '2001:db8::b', 6, 17, 0, 0, 80, 800, false, 0],
      ['203.0.113.1', '198.51.100.1', 1, 17, 0, 0, frag.length + 4, (frag.length + 4) * 10, true, 3],
    ],
  );
});

test('counter samples (compact and expanded) keep interface counters per ifIndex, capped', () => {
  const d = strictDecoder({ limits: { maxInterfaces: 2 } });
  d.decode(
    sflowDatagram({
      agent: '192.0.2.1',
      samples: [
        sflowCounterSample({ records: [sflowGenericInterface({ ifIndex: 5, ifSpeed: 10e9, inOctets: 2 ** 40, inUcast: 1000, inDiscards: 3, inErrors: 2, outOctets: 500, outUcast: 7 })] }),
        sflowCounterSample({ expanded: true, records: [sflowGenericInterface({ ifIndex: 6, inUcast: 1 })] }),
        sflowCounterSample({ records: [sflowGenericInterface({ ifIndex: 7 })] }),
      ],
    }),
    FROM,
    NOW,
  );
  const st = d.exporter(FROM.address)!;
  assert.deepEqual(st.interfaces.map((i) => i.ifIndex), [5, 6]);
  const i5 = st.interfaces[0]!;
  assert.deepEqual([i5.ifSpeed, i5.inOctets, i5.inPackets, i5.inDiscards, i5.inErrors, i5.outOctets, i5.outPackets, i5.updatedAtMs], [10e9, 2 ** 40, 1000, 3, 2, 500, 7, NOW]);
  assert.equal(st.records, 0);
});

test('unknown enterprise samples and records are skipped by length; bad headers and lengths are counted', () => {
  const d = strictDecoder();
  const records = d.decode(
    sflowDatagram({
      agent: '192.0.2.1',
      samples: [
        sflowOpaque(4413, 5, new Uint8Array(30)),
        sflowFlowSample({ rate: 1, records: [sflowOpaque(9, 1, new Uint8Array(10)), sflowRawHeader(1, ethernet(0x0800, syn))] }),
      ],
    }),
    FROM,
    NOW,
  );
  assert.equal(records.length, 1);
  assert.deepEqual(nonZeroErrors(d.exporter(FROM.address)!), {});
  // A raw header that is not a valid IP packet under an IPv4 ethertype.
  const broken = ethernet(0x0800, Uint8Array.of(0x45, 0, 0, 10, 1, 2));
  assert.equal(d.decode(sflowDatagram({ agent: '192.0.2.1', samples: [sflowFlowSample({ rate: 1, records: [sflowRawHeader(1, broken)] })] }), FROM, NOW).length, 0);
  // An ARP frame is not IP: one record, no addresses (its bytes still count).
  const arp = d.decode(sflowDatagram({ agent: '192.0.2.1', samples: [sflowFlowSample({ rate: 1, records: [sflowRawHeader(1, ethernet(0x0806, new Uint8Array(28)))] })] }), FROM, NOW);
  assert.deepEqual(arp.map((r) => [r.ipVersion, r.srcAddr, r.bytesRaw]), [[0, '', 46]]);
  // Sample length past the datagram; a bad agent address type.
  const good = sflowDatagram({ agent: '192.0.2.1', samples: [sflowFlowSample({ rate: 1, records: [sflowRawHeader(1, ethernet(0x0800, syn))] })] });
  const long = good.slice();
  long.set(u32(5000), 28 + 4);
  assert.equal(d.decode(long, FROM, NOW).length, 0);
  const badAgent = good.slice();
  badAgent.set(u32(9), 4);
  assert.equal(d.decode(badAgent, FROM, NOW).length, 0);
  assert.deepEqual(nonZeroErrors(d.exporter(FROM.address)!), { bad_packet_header: 1, truncated: 1, bad_header: 1 });
});
