import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparable, decodeFixture, fixturePath, nonZeroErrors, tsharkCflowRecords } from '../testing/index.ts';

for (const fixture of ['softflowd-ipfix.pcap', 'softflowd-ipfix-sampled.pcap', 'pmacctd-nfprobe-ipfix.pcap']) {
  test(`IPFIX from ${fixture} agrees with tshark record by record`, () => {
    const { records, status } = decodeFixture('ipfix', fixture);
    const reference = tsharkCflowRecords(fixturePath('ipfix', fixture), 2055);
    assert.ok(reference.length >= 7, `tshark saw ${reference.length} flows`);
    assert.deepEqual(records.map(comparable), reference);
    assert.deepEqual(nonZeroErrors(status), {});
  });
}

test('IPFIX options (samplingPacketInterval/Space from softflowd -s 4) give 1:4, and flow times from systemInitTime', () => {
  const { records, status } = decodeFixture('ipfix', 'softflowd-ipfix-sampled.pcap');
  assert.ok(records.length > 0);
  assert.ok(records.every((r) => r.samplingRate === 4 && r.packets === r.packetsRaw * 4));
  assert.equal(status.samplingSource, 'options');
  assert.equal(status.samplingAlgorithm, 'deterministic');
  // The traffic file starts at 2026-01-01T00:00:00Z and lasts under 100 ms; softflowd -a keeps those times.
  const start = Date.UTC(2026, 0, 1);
  for (const r of records) {
    assert.ok(r.startMs >= start && r.endMs < start + 1000 && r.startMs <= r.endMs, `${r.startMs}..${r.endMs}`);
  }
});

test('IPFIX carries IPv6 flows from pmacctd', () => {
  const { records } = decodeFixture('ipfix', 'pmacctd-nfprobe-ipfix.pcap');
  const v6 = records.filter((r) => r.ipVersion === 6).map((r) => `${r.srcAddr}>${r.dstAddr}`);
  assert.ok(v6.includes('2001:db8::1>2001:db8::5'), v6.join(','));
  assert.ok(records.every((r) => r.samplingRate === 1));
});
