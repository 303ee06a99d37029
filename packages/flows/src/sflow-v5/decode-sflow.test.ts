import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparable, decodeFixture, fixturePath, nonZeroErrors, tsharkSflowRecords } from '../testing/index.ts';

for (const fixture of ['pmacctd-sfprobe.pcap', 'pmacctd-sfprobe-sampled.pcap', 'pmacctd-sfprobe-live.pcap']) {
  test(`sFlow v5 from ${fixture} agrees with tshark sample by sample (packet fields from the raw header)`, () => {
    const { records, status } = decodeFixture('sflow-v5', fixture);
    const reference = tsharkSflowRecords(fixturePath('sflow-v5', fixture), 6343);
    assert.ok(reference.length >= 10, `tshark saw ${reference.length} samples`);
    assert.deepEqual(
      records.map((r) => ({ ...comparable(r), rate: r.samplingRate, ttl: r.ttl, vlan: r.vlan })),
      reference,
    );
    assert.deepEqual(nonZeroErrors(status), {});
  });
}

test('sFlow v5 from pmacctd: VLAN and MPLS frames decoded to the inner IP, IPv6, fragments, TTL', () => {
  const { records } = decodeFixture('sflow-v5', 'pmacctd-sfprobe.pcap');
  const vlan = records.filter((r) => r.dstAddr === '198.18.0.9');
  assert.equal(vlan.length, 6);
  assert.ok(vlan.every((r) => r.vlan === 100 && r.dstPort === 80 && r.ttl === 30));
  const mpls = records.filter((r) => r.dstAddr === '198.18.1.9');
  assert.equal(mpls.length, 4);
  assert.ok(mpls.every((r) => r.ipProtocol === 6 && r.dstPort === 22 && r.tcpFlags === 0x02 && r.ttl === 40));
  const mpls6 = records.filter((r) => r.dstAddr === '2001:db8:1::9');
  assert.equal(mpls6.length, 3);
  assert.ok(mpls6.every((r) => r.ipVersion === 6 && r.dstPort === 53 && r.ttl === 20));
  const v6 = records.filter((r) => r.ipVersion === 6 && r.dstAddr === '2001:db8::5');
  assert.equal(v6.length, 18);
  const frags = records.filter((r) => r.srcAddr === '10.200.0.4');
  assert.equal(frags.length, 6);
  assert.ok(frags.every((r) => r.fragment));
  assert.equal(frags.filter((r) => r.srcPort === 5353).length, 3, 'only first fragments carry ports');
});

test('sFlow v5 sampling 1:4 (pmacctd sampling_rate: 4) is applied per sample', () => {
  const { records, status } = decodeFixture('sflow-v5', 'pmacctd-sfprobe-sampled.pcap');
  assert.ok(records.length > 0);
  assert.ok(records.every((r) => r.samplingRate === 4 && r.packets === 4 && r.bytes === r.bytesRaw * 4));
  assert.equal(status.samplingRate, 4);
  assert.equal(status.samplingSource, 'datagram');
});

test('sFlow v5 from pmacctd with an IPv6 agent (which it writes misaligned) is counted, never thrown', () => {
  const { status } = decodeFixture('sflow-v5', 'pmacctd-sfprobe-v6agent-malformed.pcap');
  assert.ok(status.datagrams > 0);
  const errors = nonZeroErrors(status);
  assert.ok(Object.keys(errors).length > 0, JSON.stringify(errors));
});

test('sFlow v5 from pmacctd live on a veth: the hping3 burst (3000 UDP packets to port 53), scaled 1:10, within sampling error', () => {
  const { records, status } = decodeFixture('sflow-v5', 'pmacctd-sfprobe-live.pcap');
  const burst = records.filter((r) => r.srcAddr === '10.200.0.1' && r.dstAddr === '10.200.0.5' && r.dstPort === 53 && r.ipProtocol === 17);
  assert.ok(burst.every((r) => r.samplingRate === 10 && r.packets === 10));
  const packets = burst.reduce((n, r) => n + r.packets, 0);
  // Sampling 1 in 10 of 3000: the count of samples is ~binomial(3000, 0.1), sd ≈ 16.4; ± 5 sd.
  assert.ok(Math.abs(packets - 3000) <= 10 * 82, `${packets} packets estimated`);
  assert.equal(status.samplingRate, 10);
  // tcpreplay sent the fixture traffic through the same link: VLAN- and MPLS-framed packets arrive too.
  assert.ok(records.some((r) => r.ipVersion === 6));
});
