// Template handling shared by NetFlow v9 and IPFIX: caching per (exporter, domain), refresh,
// redefinition, withdrawal, expiry, data held before its template, options sampling, and
// fields the decoder does not know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IE,
  V4_FLOW_FIELDS,
  dataRecord,
  dataSet,
  ipfixMessage,
  ipfixOptionsTemplateSet,
  ipfixTemplateSet,
  ipfixWithdrawal,
  nonZeroErrors,
  strictDecoder,
  v4Flow,
  v9OptionsTemplateSet,
  v9Packet,
  v9TemplateSet,
} from '../testing/index.ts';

const A = { address: '192.0.2.1', port: 40000 };
const B = { address: '192.0.2.2', port: 40000 };
const T0 = 1_767_225_600_000;
const flow = v4Flow('203.0.113.7', '198.51.100.5', 1234, 80, 6, 0x02, 10, 400);
const tpl = ipfixTemplateSet([{ id: 256, fields: V4_FLOW_FIELDS }]);
const msg = (sets: Uint8Array[], domain = 1) => ipfixMessage({ domain, exportSec: T0 / 1000, sets });

test('IPFIX data before its template is held, then decoded when the template comes', () => {
  const d = strictDecoder();
  assert.equal(d.decode(msg([dataSet(256, [flow, flow])]), A, T0).length, 0);
  assert.equal(d.exporter(A.address)?.pendingSets, 1);
  const records = d.decode(msg([tpl]), A, T0 + 500);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.dstAddr, '198.51.100.5');
  assert.equal(records[0]!.receivedAtMs, T0, 'held records keep their arrival time');
  const st = d.exporter(A.address)!;
  assert.equal(st.pendingSets, 0);
  assert.equal(st.pendingBytes, 0);
  assert.deepEqual(nonZeroErrors(st), {});
});

test('NetFlow v9 data set before the template set in the same packet is decoded', () => {
  const d = strictDecoder();
  const pkt = v9Packet({ sourceId: 3, exportSec: T0 / 1000, uptimeMs: 60_000, sets: [dataSet(300, [flow]), v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }])] });
  const records = d.decode(pkt, A, T0);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.protocol, 'netflow_v9');
  assert.equal(records[0]!.domain, 3);
});

test('held data sets expire after pendingHoldMs (counted as unknown_template), on the next datagram or sweep()', () => {
  let now = T0;
  const d = strictDecoder({ clock: { now: () => now }, limits: { pendingHoldMs: 1000 } });
  d.decode(msg([dataSet(256, [flow])]), A, T0);
  d.decode(msg([dataSet(257, [flow])]), A, T0 + 900);
  assert.equal(d.exporter(A.address)?.pendingSets, 2);
  // The next datagram, 1.5 s on: the first set is past its hold, the second is not.
  d.decode(msg([]), A, T0 + 1500);
  assert.equal(d.exporter(A.address)?.pendingSets, 1);
  assert.equal(d.exporter(A.address)?.decodeErrors.unknown_template, 1);
  now = T0 + 5000;
  d.sweep();
  assert.equal(d.exporter(A.address)?.pendingSets, 0);
  assert.equal(d.exporter(A.address)?.decodeErrors.unknown_template, 2);
  // The template arriving after the hold decodes nothing old.
  assert.equal(d.decode(msg([tpl]), A, T0 + 6000).length, 0);
});

test('the hold queue is capped in sets and bytes; the rest is dropped and counted at once', () => {
  const d = strictDecoder({ limits: { maxPendingSets: 3, maxPendingBytes: 1_000_000 } });
  for (let i = 0; i < 5; i++) d.decode(msg([dataSet(256, [flow])]), A, T0);
  assert.equal(d.exporter(A.address)?.pendingSets, 3);
  assert.equal(d.exporter(A.address)?.decodeErrors.pending_overflow, 2);
  const big = strictDecoder({ limits: { maxPendingBytes: 100 } });
  big.decode(msg([dataSet(256, [flow, flow])]), A, T0); // 50 bytes
  big.decode(msg([dataSet(256, [flow, flow])]), A, T0);
  big.decode(msg([dataSet(256, [flow, flow])]), A, T0);
  const st = big.exporter(A.address)!;
  assert.ok(st.pendingBytes <= 100);
  assert.equal(st.pendingSets, 2);
  assert.equal(st.decodeErrors.pending_overflow, 1);
  const none = strictDecoder({ limits: { maxPendingSets: 0 } });
  none.decode(msg([dataSet(256, [flow])]), A, T0);
  assert.equal(none.exporter(A.address)?.pendingSets, 0);
  assert.equal(none.exporter(A.address)?.decodeErrors.pending_overflow, 1);
});

test('templates are per exporter and per observation domain', () => {
  const d = strictDecoder();
  d.decode(msg([tpl], 1), A, T0);
  assert.equal(d.decode(msg([dataSet(256, [flow])], 1), A, T0).length, 1);
  assert.equal(d.decode(msg([dataSet(256, [flow])], 2), A, T0).length, 0, 'other domain: held');
  assert.equal(d.decode(msg([dataSet(256, [flow])], 1), B, T0).length, 0, 'other exporter: held');
  assert.equal(d.exporter(A.address)?.pendingSets, 1);
  assert.equal(d.exporter(B.address)?.pendingSets, 1);
  assert.equal(d.exporter(A.address)?.templates, 1);
  assert.equal(d.exporter(B.address)?.templates, 0);
});

test('refresh keeps the template; redefinition (an exporter flapping its templates) is counted and followed', () => {
  const d = strictDecoder();
  d.decode(msg([tpl]), A, T0);
  d.decode(msg([tpl]), A, T0 + 10_000);
  let st = d.exporter(A.address)!;
  assert.equal(st.templateRedefinitions, 0);
  assert.equal(st.templateList[0]!.learnedAtMs, T0);
  assert.equal(st.templateList[0]!.refreshedAtMs, T0 + 10_000);
  const portsOnly = [
    { id: IE.sourceTransportPort, length: 2 },
    { id: IE.destinationTransportPort, length: 2 },
    { id: IE.packetDeltaCount, length: 4 },
  ];
  for (let i = 0; i < 50; i++) {
    const flip = i % 2 === 0;
    const t = flip ? ipfixTemplateSet([{ id: 256, fields: portsOnly }]) : tpl;
    const rec = flip ? dataRecord(portsOnly, [1, 53, 3]) : flow;
    // Data that fits the old layout arrives after the new template: it is read with the new one.
    const records = d.decode(msg([t, dataSet(256, [rec])]), A, T0 + 20_000 + i);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.dstPort, flip ? 53 : 80);
  }
  st = d.exporter(A.address)!;
  assert.equal(st.templateRedefinitions, 50);
  assert.equal(st.templates, 1);
});

test('a data set that is not whole records of its template is counted as template_length_mismatch', () => {
  const d = strictDecoder();
  d.decode(msg([tpl]), A, T0);
  const body = new Uint8Array(flow.length + 10);
  body.set(flow);
  assert.equal(d.decode(msg([dataSet(256, [body], false)]), A, T0).length, 0);
  assert.equal(d.decode(msg([dataSet(256, [flow.subarray(0, 10)], false)]), A, T0).length, 0);
  assert.equal(d.exporter(A.address)?.decodeErrors.template_length_mismatch, 2);
});

test('IPFIX withdrawal removes one template or all of a domain; later data is held, not misread', () => {
  const d = strictDecoder();
  d.decode(msg([ipfixTemplateSet([{ id: 256, fields: V4_FLOW_FIELDS }, { id: 257, fields: V4_FLOW_FIELDS }])]), A, T0);
  d.decode(msg([ipfixTemplateSet([{ id: 258, fields: V4_FLOW_FIELDS }])], 9), A, T0);
  d.decode(msg([ipfixWithdrawal([256])]), A, T0);
  assert.deepEqual(d.exporter(A.address)?.templateList.map((t) => [t.domain, t.templateId]), [[1, 257], [9, 258]]);
  assert.equal(d.decode(msg([dataSet(256, [flow])]), A, T0).length, 0);
  d.decode(msg([ipfixWithdrawal([2])]), A, T0);
  assert.deepEqual(d.exporter(A.address)?.templateList.map((t) => [t.domain, t.templateId]), [[9, 258]]);
  assert.equal(d.exporter(A.address)?.templatesWithdrawn, 2);
});

test('templates not refreshed within templateTimeoutMs expire', () => {
  const d = strictDecoder({ limits: { templateTimeoutMs: 60_000 } });
  d.decode(msg([tpl]), A, T0);
  assert.equal(d.decode(msg([dataSet(256, [flow])]), A, T0 + 59_000).length, 1);
  assert.equal(d.decode(msg([dataSet(256, [flow])]), A, T0 + 61_000).length, 0);
  assert.equal(d.exporter(A.address)?.templatesExpired, 1);
  assert.equal(d.exporter(A.address)?.templates, 0);
});

test('the template cache is capped per exporter: the rest is counted as template_cache_full', () => {
  const d = strictDecoder({ limits: { maxTemplatesPerExporter: 4 } });
  const many = Array.from({ length: 10 }, (_, i) => ({ id: 256 + i, fields: V4_FLOW_FIELDS }));
  d.decode(msg([ipfixTemplateSet(many)]), A, T0);
  assert.equal(d.exporter(A.address)?.templates, 4);
  assert.equal(d.exporter(A.address)?.decodeErrors.template_cache_full, 6);
});

test('bad templates (zero-length field, reserved id, count past the set) are counted, the datagram survives', () => {
  const d = strictDecoder();
  const zero = ipfixTemplateSet([{ id: 256, fields: [{ id: IE.sourceIPv4Address, length: 0 }] }]);
  const reserved = ipfixTemplateSet([{ id: 12, fields: V4_FLOW_FIELDS }]);
  const v9zero = v9TemplateSet([{ id: 256, fields: [{ id: 8, length: 0 }] }]);
  d.decode(msg([zero]), A, T0);
  d.decode(msg([reserved]), A, T0);
  d.decode(v9Packet({ sourceId: 0, exportSec: T0 / 1000, uptimeMs: 0, sets: [v9zero] }), A, T0);
  const cut = tpl.slice(0, tpl.length - 6);
  cut[3] = cut.length; // set length matches the cut body: the field count runs past it
  d.decode(msg([cut]), A, T0);
  assert.equal(d.exporter(A.address)?.decodeErrors.bad_template, 4);
  assert.equal(d.exporter(A.address)?.templates, 0);
});

test('enterprise and variable-length fields are skipped; the known fields around them are read', () => {
  const fields = [
    { id: IE.sourceIPv4Address, length: 4 },
    { id: 1, length: 65535, enterprise: 29305 },
    { id: IE.applicationName, length: 65535 },
    { id: IE.destinationIPv4Address, length: 4 },
    { id: 7, length: 2, enterprise: 9 },
    { id: IE.destinationTransportPort, length: 2 },
    { id: IE.packetDeltaCount, length: 8 },
    { id: IE.octetDeltaCount, length: 8 },
  ];
  const d = strictDecoder();
  const long = new Uint8Array(300).fill(0x41);
  const recs = [
    dataRecord(fields, ['10.0.0.1', new Uint8Array(0), long, '10.0.0.2', 7777, 443, 5, 5000]),
    dataRecord(fields, ['10.0.0.3', Uint8Array.of(1, 2, 3), new Uint8Array(0), '10.0.0.4', 0, 53, 2 ** 40, 1]),
  ];
  const records = d.decode(msg([ipfixTemplateSet([{ id: 400, fields }]), dataSet(400, recs)]), A, T0);
  assert.deepEqual(
    records.map((r) => [r.srcAddr, r.dstAddr, r.srcPort, r.dstPort, r.packetsRaw, r.bytesRaw]),
    [
      ['10.0.0.1', '10.0.0.2', 0, 443, 5, 5000],
      ['10.0.0.3', '10.0.0.4', 0, 53, 2 ** 40, 1],
    ],
  );
  assert.equal(d.exporter(A.address)?.templateList[0]?.recordLength, -1);
  assert.deepEqual(nonZeroErrors(d.exporter(A.address)!), {});
});

test('v9 options data (SAMPLING_INTERVAL/ALGORITHM) scales later records; a per-record sampler id picks its rate', () => {
  const d = strictDecoder();
  const opts = v9OptionsTemplateSet([
    {
      id: 260,
      scopeCount: 1,
      fields: [
        { id: 1, length: 4 }, // scope: system
        { id: IE.samplerId, length: 1 },
        { id: IE.samplingInterval, length: 4 },
        { id: IE.samplingAlgorithm, length: 1 },
      ],
    },
  ]);
  const optsData = dataSet(260, [dataRecord([{ id: 1, length: 4 }, { id: 48, length: 1 }, { id: 34, length: 4 }, { id: 35, length: 1 }], [0, 1, 100, 2]), dataRecord([{ id: 1, length: 4 }, { id: 48, length: 1 }, { id: 34, length: 4 }, { id: 35, length: 1 }], [0, 2, 512, 2])]);
  const withSampler = [...V4_FLOW_FIELDS, { id: IE.samplerId, length: 1 }];
  const pkt = v9Packet({
    sourceId: 0,
    exportSec: T0 / 1000,
    uptimeMs: 1000,
    sets: [
      opts,
      optsData,
      v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }, { id: 301, fields: withSampler }]),
      dataSet(300, [flow]),
      dataSet(301, [dataRecord(withSampler, ['203.0.113.7', '198.51.100.5', 1, 2, 17, 0, 3, 300, 1])]),
    ],
  });
  const [plain, sampler1] = d.decode(pkt, A, T0);
  assert.equal(plain?.samplingRate, 512, 'no sampler id: the latest rate announced');
  assert.equal(plain?.packets, 10 * 512);
  assert.equal(sampler1?.samplingRate, 100);
  assert.equal(sampler1?.bytes, 300 * 100);
  const st = d.exporter(A.address)!;
  assert.equal(st.samplingSource, 'options');
  assert.equal(st.samplingAlgorithm, 'random');
  d.setSamplingOverride(A.address, 2000);
  assert.equal(d.decode(pkt, A, T0)[0]?.samplingRate, 2000);
  d.setSamplingOverride(A.address, null);
  assert.equal(d.decode(pkt, A, T0)[0]?.samplingRate, 512);
});

test('IPFIX options with samplingPacketInterval/Space and a sampling field in the flow record itself', () => {
  const d = strictDecoder();
  const optFields = [
    { id: 149, length: 4 }, // scope: observationDomainId
    { id: IE.samplingPacketInterval, length: 4 },
    { id: IE.samplingPacketSpace, length: 4 },
    { id: IE.selectorAlgorithm, length: 2 },
  ];
  const inRecord = [...V4_FLOW_FIELDS, { id: IE.samplingInterval, length: 4 }];
  const records = d.decode(
    msg([
      ipfixOptionsTemplateSet([{ id: 500, scopeCount: 1, fields: optFields }]),
      dataSet(500, [dataRecord(optFields, [1, 1, 9, 1])]),
      ipfixTemplateSet([{ id: 256, fields: V4_FLOW_FIELDS }, { id: 257, fields: inRecord }]),
      dataSet(256, [flow]),
      dataSet(257, [dataRecord(inRecord, ['1.1.1.1', '2.2.2.2', 1, 2, 17, 0, 1, 100, 64])]),
    ]),
    A,
    T0,
  );
  assert.deepEqual(records.map((r) => [r.samplingRate, r.packets]), [[10, 100], [64, 64]]);
  assert.equal(d.exporter(A.address)?.samplingAlgorithm, 'deterministic');
});

test('datagrams from more exporters than maxExporters are counted on the * entry and dropped', () => {
  const d = strictDecoder({ limits: { maxExporters: 2 } });
  for (let i = 1; i <= 5; i++) d.decode(msg([tpl, dataSet(256, [flow])]), { address: `192.0.2.${i}`, port: 1 }, T0);
  const list = d.exporters();
  assert.deepEqual(list.map((e) => e.exporter), ['192.0.2.1', '192.0.2.2', '*']);
  assert.equal(list[2]?.decodeErrors.exporter_limit, 3);
});

test('limits and overrides are checked, naming the key', () => {
  assert.throws(() => strictDecoder({ limits: { maxPendingSets: -1 } }), /limits\.maxPendingSets must be an integer from 0/);
  assert.throws(() => strictDecoder({ limits: { nope: 1 } as never }), /limits\.nope is not a decoder limit; allowed: maxExporters/);
  assert.throws(() => strictDecoder({ samplingOverrides: { '10.0.0.1': 0 } }), /samplingOverrides\.10\.0\.0\.1 must be an integer sampling rate/);
  assert.throws(() => strictDecoder().setSamplingOverride('10.0.0.1', 1.5), /rate must be an integer sampling rate/);
});

test('options sampling is kept for at most maxTemplatesPerExporter domains (the oldest goes)', () => {
  const d = strictDecoder({ limits: { maxTemplatesPerExporter: 2 } });
  const optFields = [{ id: 149, length: 4 }, { id: IE.samplingPacketInterval, length: 4 }];
  const options = (domain: number) =>
    msg([ipfixOptionsTemplateSet([{ id: 500, scopeCount: 1, fields: optFields }]), dataSet(500, [dataRecord(optFields, [domain, 10 * domain])]), ipfixWithdrawal([3], true)], domain);
  for (const domain of [1, 2, 3]) d.decode(options(domain), A, T0);
  const rateIn = (domain: number) => d.decode(msg([tpl, dataSet(256, [flow]), ipfixWithdrawal([256])], domain), A, T0)[0]?.samplingRate;
  assert.deepEqual([rateIn(1), rateIn(2), rateIn(3)], [1, 20, 30]);
});
