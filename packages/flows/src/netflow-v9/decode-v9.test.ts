import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparable, decodeFixture, fixturePath, nonZeroErrors, tsharkCflowRecords } from '../testing/index.ts';

for (const fixture of ['softflowd-v9.pcap', 'softflowd-v9-sampled.pcap', 'pmacctd-nfprobe-v9.pcap']) {
  test(`NetFlow v9 from ${fixture} agrees with tshark record by record`, () => {
    const { records, status } = decodeFixture('netflow-v9', fixture);
    const reference = tsharkCflowRecords(fixturePath('netflow-v9', fixture), 2055);
    assert.ok(reference.length >= 7, `tshark saw ${reference.length} flows`);
    assert.deepEqual(records.map(comparable), reference);
    assert.deepEqual(nonZeroErrors(status), {});
    assert.ok(status.templates >= 2);
  });
}

test('NetFlow v9 carries IPv6 flows and the traffic\'s counts', () => {
  const { records } = decodeFixture('netflow-v9', 'softflowd-v9.pcap');
  const v6 = records.filter((r) => r.ipVersion === 6);
  assert.deepEqual(
    v6.map((r) => [r.srcAddr, r.dstAddr, r.dstPort, r.ipProtocol, r.packetsRaw]).sort(),
    [
      ['2001:db8:1::1', '2001:db8:1::9', 53, 17, 3],
      ['2001:db8::1', '2001:db8::5', 50000, 6, 10],
      ['2001:db8::2', '2001:db8::5', 123, 17, 8],
    ],
  );
  const ack = v6.find((r) => r.ipProtocol === 6);
  assert.equal(ack?.tcpFlags, 0x18);
});

test('NetFlow v9 options data (softflowd -s 4) sets the sampling rate, applied to every record', () => {
  const { records, status } = decodeFixture('netflow-v9', 'softflowd-v9-sampled.pcap');
  assert.ok(records.length > 0);
  for (const r of records) {
    assert.equal(r.samplingRate, 4);
    assert.equal(r.packets, r.packetsRaw * 4);
    assert.equal(r.bytes, r.bytesRaw * 4);
  }
  assert.equal(status.samplingRate, 4);
  assert.equal(status.samplingSource, 'options');
  assert.equal(status.samplingAlgorithm, 'deterministic');
  assert.ok(status.templateList.some((t) => t.options));
});
