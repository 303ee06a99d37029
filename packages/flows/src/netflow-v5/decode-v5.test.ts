import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparable, decodeFixture, fixtureDatagrams, fixturePath, nonZeroErrors, strictDecoder, tsharkCflowRecords } from '../testing/index.ts';

const FIXTURE = 'softflowd-v5.pcap';

test('NetFlow v5 from softflowd agrees with tshark record by record', () => {
  const { records, status } = decodeFixture('netflow-v5', FIXTURE);
  const reference = tsharkCflowRecords(fixturePath('netflow-v5', FIXTURE), 2055);
  assert.ok(reference.length >= 7, `tshark saw ${reference.length} flows`);
  assert.deepEqual(records.map(comparable), reference);
  assert.deepEqual(nonZeroErrors(status), {});
  assert.equal(status.records, reference.length);
});

test('NetFlow v5 carries what the traffic had: the SYN flow, ICMP type in the port, times in order', () => {
  const { records } = decodeFixture('netflow-v5', FIXTURE);
  const syn = records.find((r) => r.srcAddr === '10.200.0.1' && r.dstPort === 80);
  assert.ok(syn);
  assert.equal(syn.packetsRaw, 20);
  assert.equal(syn.tcpFlags, 0x02);
  assert.equal(syn.ipProtocol, 6);
  assert.equal(syn.samplingRate, 1);
  assert.equal(syn.packets, 20);
  // 20 packets 1 ms apart in the traffic file (softflowd -a keeps its times).
  assert.equal(syn.endMs - syn.startMs, 19);
  const icmp = records.find((r) => r.ipProtocol === 1);
  assert.equal(icmp?.dstPort, 0x0800);
});

test('NetFlow v5 applies the header sampling interval, and the operator override wins over it', () => {
  const [d] = fixtureDatagrams('netflow-v5', FIXTURE);
  assert.ok(d);
  const sampled = d.payload.slice();
  sampled[22] = 0x40; // mode 01 (deterministic), interval 100
  sampled[23] = 100;
  const decoder = strictDecoder();
  const records = decoder.decode(sampled, d.from, d.receivedAtMs);
  for (const r of records) {
    assert.equal(r.samplingRate, 100);
    assert.equal(r.packets, r.packetsRaw * 100);
    assert.equal(r.bytes, r.bytesRaw * 100);
  }
  assert.equal(decoder.exporter(d.from.address)?.samplingSource, 'datagram');
  decoder.setSamplingOverride(d.from.address, 7);
  const over = decoder.decode(sampled, d.from, d.receivedAtMs);
  assert.ok(over.every((r) => r.samplingRate === 7 && r.packets === r.packetsRaw * 7));
  assert.equal(decoder.exporter(d.from.address)?.samplingSource, 'override');
  assert.equal(decoder.exporter(d.from.address)?.samplingOverride, 7);
});

test('NetFlow v5 truncated datagrams decode the whole records present and count the rest', () => {
  const [d] = fixtureDatagrams('netflow-v5', FIXTURE);
  assert.ok(d);
  const decoder = strictDecoder();
  // Header + two whole records + half of the third.
  const cut = d.payload.subarray(0, 24 + 48 * 2 + 20);
  assert.equal(decoder.decode(cut, d.from, 0).length, 2);
  assert.equal(decoder.decode(d.payload.subarray(0, 10), d.from, 0).length, 0);
  const zero = d.payload.slice();
  zero[2] = 0;
  zero[3] = 0;
  assert.equal(decoder.decode(zero, d.from, 0).length, 0);
  assert.deepEqual(nonZeroErrors(decoder.exporter(d.from.address)!), { truncated: 2, bad_header: 1 });
});
