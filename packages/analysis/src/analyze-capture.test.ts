// analyzeCapture on captures made by fixtures/make-fixtures.sh: real floods (hping3 templates sent
// by tcpreplay at an exact rate) and real clients, captured in the victim's namespace. Rates and
// counts sent are in fixtures/manifest.json.
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AnalysisReport } from '@breakwater/contracts';
import { analyzeCapture, AnalysisOptionsError, openGeo } from './index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, `${name}.pcap`);
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<string, { victim: string; pps_sent?: number; packets_sent?: number }>;
const VICTIM = '10.200.66.5';
const ATTACKER = '10.200.66.1';

const cache = new Map<string, Promise<AnalysisReport>>();
function analyzed(name: string): Promise<AnalysisReport> {
  let p = cache.get(name);
  if (p === undefined) {
    p = analyzeCapture(fixture(name));
    cache.set(name, p);
  }
  return p;
}

interface Expected {
  family: string;
  subtype: string;
  /** Allowed severities: the observed/threshold ratio of what was sent, with slack at a band edge. */
  severity: string[];
  /** A phrase of the rule that decided, as the explanation must say it. */
  rule: RegExp;
  opener: string;
  spoofed?: boolean;
}

// Offline thresholds: 5000 pps, SYN/ICMP/fragments 2000 pps (severity: ≥1.5 medium, ≥3 high, ≥10 critical).
const ATTACKS: Record<string, Expected> = {
  'udp-flood': { family: 'udp_flood', subtype: 'udp_flood', severity: ['high'], rule: /UDP matching no reflector or DNS port; top destination port 9999/, opener: 'pps' }, // 16k/5k = 3.2
  'syn-flood-spoofed': { family: 'syn_flood', subtype: 'spoofed_syn_flood', severity: ['high'], rule: /SYN without ACK .*→ syn_flood.*one origin forging source addresses/, opener: 'syn_pps', spoofed: true }, // 15k/2k = 7.5
  'ack-flood': { family: 'unknown', subtype: 'ack_flood', severity: ['medium'], rule: /pure ACK .* → ack_flood/, opener: 'pps' }, // 10k/5k = 2
  'icmp-flood': { family: 'icmp_flood', subtype: 'icmp_flood', severity: ['high'], rule: /ICMP .* → icmp_flood/, opener: 'icmp_pps' }, // 8k/2k = 4
  'dns-query-flood': { family: 'dns_flood', subtype: 'dns_query_flood', severity: ['medium'], rule: /to destination port 53 \(queries\) → dns_query_flood/, opener: 'pps' }, // 9k/5k = 1.8
  'ntp-amplification': { family: 'udp_flood', subtype: 'ntp_amplification', severity: ['medium'], rule: /from source port 123 \(NTP\), avg 482 B → ntp_amplification/, opener: 'pps' }, // 12k/5k = 2.4
  'memcached-amplification': { family: 'udp_flood', subtype: 'memcached_amplification', severity: ['medium'], rule: /from source port 11211 \(memcached\).* → memcached_amplification/, opener: 'pps' }, // 8k/5k = 1.6
  'fragment-flood': { family: 'udp_flood', subtype: 'fragment_flood', severity: ['high'], rule: /IP fragments → fragment_flood/, opener: 'fragment_pps' }, // 10k fragments/s / 2k = 5
  'multi-vector': { family: 'multi_vector', subtype: 'ntp_amplification+syn_flood', severity: ['high'], rule: /ntp_amplification .*syn_flood .*2 vectors each ≥ 20.0% of the excess → multi_vector/, opener: 'syn_pps' }, // SYN 9k/2k = 4.5
  'http-flood': { family: 'http_flood', subtype: 'http_flood', severity: ['low', 'medium'], rule: /to web ports .* established .* 80 sources \(≥ 50\) → http_flood/, opener: 'pps' }, // ~8 kpps of real requests
};

describe('analyzeCapture on attack fixtures', () => {
  for (const [name, want] of Object.entries(ATTACKS)) {
    test(`${name}: ${want.family}/${want.subtype}`, async () => {
      const r = await analyzed(name);
      assert.equal(r.complete, true);
      assert.equal(r.error, null);
      assert.deepEqual(r.analysis.targets.map((t) => t.target), [VICTIM], 'the victim is the one target');
      assert.equal(r.incidents.length, 1, JSON.stringify(r.incidents.map((i) => i.attack_subtype)));
      const i = r.incidents[0]!;
      assert.equal(i.target, VICTIM);
      assert.equal(i.attack_family, want.family);
      assert.equal(i.attack_subtype, want.subtype);
      assert.ok(want.severity.includes(i.severity), `severity ${i.severity}, expected ${want.severity.join('|')}`);
      assert.match(i.explanation, want.rule);
      assert.equal(i.threshold.name, want.opener);
      assert.match(i.explanation, new RegExp(`opened by ${want.opener} \\d+ ≥ static threshold ${r.analysis.thresholds[want.opener]}`));
      assert.equal(i.spoofing_detected, want.spoofed ?? false);
      assert.equal(i.botnet_detected, false);
      // Peaks: at least the threshold that fired, at most what was sent (exact tcpreplay rates; a
      // 1 s window over 100 ms ticks can only lose part of a second, never gain).
      const sent = manifest[name]!;
      assert.ok(i.peak_pps >= r.analysis.thresholds.pps! || i.threshold.observed >= i.threshold.value, `peak ${i.peak_pps}`);
      if (sent.pps_sent !== undefined) {
        assert.ok(i.peak_pps <= sent.pps_sent * 1.02, `peak ${i.peak_pps} pps above the ${sent.pps_sent} pps sent`);
        assert.ok(i.peak_pps >= sent.pps_sent * 0.9, `peak ${i.peak_pps} pps far below the ${sent.pps_sent} pps sent`);
      } else {
        assert.ok(i.peak_pps <= r.file.packets, 'a 1 s peak cannot exceed the packets in the file');
      }
      // Any 1 s window lies within two adjacent calendar seconds of the timeline.
      const pairMax = (f: (p: AnalysisReport['timeline'][number]) => number) =>
        Math.max(...r.timeline.map((p, k) => f(p) + (k + 1 < r.timeline.length ? f(r.timeline[k + 1]!) : 0)));
      assert.ok(i.peak_pps <= pairMax((p) => p.pps), `peak ${i.peak_pps} pps vs timeline`);
      assert.ok(i.peak_bps > 0 && i.peak_bps <= pairMax((p) => p.bps), `peak ${i.peak_bps} bps vs timeline`);
      assert.ok(i.peak_bps / i.peak_pps >= 42 * 8 && i.peak_bps / i.peak_pps <= 1514 * 8, 'mean frame size between 42 and 1514 bytes');
      assert.ok(Date.parse(i.started_at) >= Date.parse(r.file.first_ts!) && Date.parse(i.ended_at) <= Date.parse(r.file.last_ts!) + 1);
      assert.ok(i.top_src_ips.length > 0 && i.protocol_breakdown !== undefined && i.geo_breakdown['??']! > 0, 'test-bed addresses have no country');
      assert.equal(i.ongoing_at_end, name === 'udp-flood', 'only the udp-flood capture is cut mid-attack');
      // A victim-side capture holds the victim's replies: never an "attack" on the attacker.
      assert.ok(!r.incidents.some((x) => x.target === ATTACKER));
      assert.ok(r.recommendations.some((x) => x.kind === 'blackhole'));
      assert.ok(r.timeline.some((p) => p.attack) && r.timeline.some((p) => p.pps >= r.analysis.thresholds.pps! * 0.5));
      assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'plain JSON');
    });
  }

  test('spoofing and botnet verdicts name their reasons', async () => {
    const syn = await analyzed('syn-flood-spoofed');
    assert.equal(syn.spoofing.verdict, 'detected');
    assert.match(syn.spoofing.why, /distinct sources .* in 3 TTL values/);
    assert.equal(syn.botnet.verdict, 'not_detected');
    const ntp = await analyzed('ntp-amplification');
    assert.equal(ntp.spoofing.verdict, 'not_detected', 'reflectors are real sources');
  });

  test('recommendations pin down what the verdict names', async () => {
    const ntp = await analyzed('ntp-amplification');
    const fs = ntp.recommendations.find((x) => x.kind === 'flowspec');
    assert.ok(fs !== undefined && fs.kind === 'flowspec');
    assert.deepEqual(fs.match.source_port, [123]);
    assert.equal(fs.match.destination, `${VICTIM}/32`);
    assert.equal(fs.action.type, 'discard');
    assert.ok(ntp.recommendations.some((x) => x.kind === 'firewall' && x.action === 'drop' && x.src_ports?.includes(123)));
    const syn = await analyzed('syn-flood-spoofed');
    assert.ok(syn.recommendations.some((x) => x.kind === 'firewall' && x.action === 'syn_cookies'), JSON.stringify(syn.recommendations));
  });

  test('backscatter of a victim-side capture is skipped, with the reason', async () => {
    const r = await analyzed('ack-flood');
    const s = r.analysis.targets_skipped.find((x) => x.target === ATTACKER);
    assert.ok(s !== undefined, JSON.stringify(r.analysis.targets_skipped));
    assert.match(s.reason, /replies .* backscatter/);
  });

  test('timeline: one point per second of the capture, percentages per protocol', async () => {
    const r = await analyzed('multi-vector');
    assert.equal(r.timeline_step_s, 1);
    const secs = Math.floor(Date.parse(r.file.last_ts!) / 1000) - Math.floor(Date.parse(r.file.first_ts!) / 1000) + 1;
    assert.equal(r.timeline.length, secs);
    assert.equal(r.timeline.reduce((a, p) => a + p.pps, 0), r.file.packets);
    const busiest = [...r.timeline].sort((a, b) => b.pps - a.pps)[0]!;
    assert.ok(busiest.tcp_pct > 40 && busiest.udp_pct > 25 && busiest.syn_pps > 5000, JSON.stringify(busiest));
  });
});

describe('benign captures open no incident', () => {
  for (const name of ['benign-bulk-download', 'benign-dns-lookups', 'benign-web-burst']) {
    test(name, async () => {
      const r = await analyzed(name);
      assert.equal(r.complete, true);
      assert.ok(r.file.packets > 10, `${r.file.packets} packets`);
      assert.ok(r.analysis.targets.some((t) => t.target === VICTIM));
      assert.deepEqual(r.incidents, []);
      assert.equal(r.spoofing.verdict, 'not_assessed');
      assert.equal(r.botnet.verdict, 'not_assessed');
      assert.deepEqual(r.recommendations, []);
      assert.ok(!r.timeline.some((p) => p.attack));
    });
  }
});

describe('inputs and options', () => {
  test('a stream gives the same report as the file (spooled for the second pass)', async () => {
    const fromFile = await analyzed('icmp-flood');
    const fromStream = await analyzeCapture(createReadStream(fixture('icmp-flood'), { highWaterMark: 4096 }), { fileName: 'icmp-flood.pcap' });
    assert.deepEqual(fromStream, fromFile);
  });

  test('explicit targets: an address (analysing backscatter on purpose) or a prefix', async () => {
    const atk = await analyzeCapture(fixture('ack-flood'), { target: ATTACKER });
    assert.deepEqual(atk.analysis.targets.map((t) => [t.target, t.chosen]), [[ATTACKER, 'explicit']]);
    assert.equal(atk.incidents[0]?.attack_subtype, 'rst_flood', 'the victim answered every ACK with a RST');
    const net = await analyzeCapture(fixture('udp-flood'), { target: ['10.200.66.0/24'], geo: false });
    assert.equal(net.incidents.length, 1);
    assert.equal(net.incidents[0]!.target, '10.200.66.0/24');
    assert.equal(net.analysis.geo.source, 'none');
    assert.ok(!net.recommendations.some((x) => x.kind === 'blackhole'), 'no host to blackhole for a prefix target');
  });

  test('threshold overrides apply, and errors name the key', async () => {
    const quiet = await analyzeCapture(fixture('ntp-amplification'), { ppsThreshold: 100_000, geo: false });
    assert.deepEqual(quiet.incidents, []);
    assert.equal(quiet.analysis.thresholds.pps, 100_000);
    const bps = await analyzeCapture(fixture('memcached-amplification'), { ppsThreshold: 100_000, bpsThreshold: 50_000_000, geo: false });
    assert.equal(bps.incidents[0]?.threshold.name, 'bps');
    await assert.rejects(analyzeCapture(fixture('udp-flood'), { ppsThreshold: -1 }), (e: unknown) => e instanceof AnalysisOptionsError && e.errors[0]!.key === 'ppsThreshold');
    await assert.rejects(
      analyzeCapture(fixture('udp-flood'), { detection: { thresholds: { ppps: 1 } } as any }),
      (e: unknown) => e instanceof AnalysisOptionsError && e.errors.some((x) => x.key === 'detection.thresholds.ppps' && /unknown parameter/.test(x.message)),
    );
    await assert.rejects(analyzeCapture(fixture('udp-flood'), { target: '10.0.0.300' }), (e: unknown) => e instanceof AnalysisOptionsError && e.errors[0]!.key === 'target');
    await assert.rejects(analyzeCapture(fixture('udp-flood'), { tagret: 'x' } as any), /tagret: unknown option/);
  });

  test('a caller-supplied geo lookup fills countries', async () => {
    const r = await analyzeCapture(fixture('ntp-amplification'), { geo: (ip) => (ip.startsWith('198.18.123.') ? 'nl' : null) });
    assert.equal(r.countries[0]?.country, 'NL');
    assert.ok(r.incidents[0]!.geo_breakdown.NL! >= 13_000);
  });

  test('the bundled GeoIP database answers public addresses, and "??" stands for private ones', async () => {
    const g = await openGeo();
    assert.ok(g.lookup !== undefined, g.note);
    assert.equal(g.lookup('8.8.8.8'), 'US');
    assert.equal(g.lookup('2001:4860:4860::8888'), 'US');
    assert.equal(g.lookup('10.200.66.5'), null);
    const missing = await openGeo('/nonexistent/geo.mmdb');
    assert.equal(missing.lookup, undefined);
    assert.match(missing.note ?? '', /unusable/);
  });
});

describe('malformed captures never throw', () => {
  test('truncated: partial results, flagged incomplete, with the byte offset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bw-analysis-test-'));
    try {
      const whole = readFileSync(fixture('udp-flood'));
      const cut = join(dir, 'cut.pcap');
      await writeFile(cut, whole.subarray(0, 600_003));
      const r = await analyzeCapture(cut, { geo: false });
      assert.equal(r.complete, false);
      assert.equal(r.error?.code, 'truncated');
      assert.ok(r.error.offset > 500_000 && r.error.offset <= 600_003, String(r.error.offset));
      assert.match(r.error.message, new RegExp(`at byte ${r.error.offset}`));
      assert.ok(r.file.packets > 5000, 'what was read is reported');
      const garbage = join(dir, 'garbage.pcap');
      await writeFile(garbage, Buffer.from('this is not a capture at all, just text\n'));
      const g = await analyzeCapture(garbage);
      assert.equal(g.complete, false);
      assert.equal(g.error?.code, 'bad-magic');
      assert.equal(g.error.offset, 0);
      assert.equal(g.file.packets, 0);
      assert.deepEqual(g.incidents, []);
      const none = await analyzeCapture(join(dir, 'missing.pcap'));
      assert.equal(none.error?.code, 'unreadable');
      assert.match(none.error.message, /ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
