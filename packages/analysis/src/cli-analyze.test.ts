// `breakwater analyze` as a process: what scripts and operators depend on — one JSON object with
// --json, exit 0/1/2, the byte offset of a malformed capture, and `-` reading a pipe.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'breakwater.mjs');
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

function run(args: string[], stdin?: Uint8Array): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'analyze', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const KEYS = ['report_version', 'complete', 'error', 'file', 'analysis', 'incidents', 'timeline_step_s', 'timeline', 'top_src_ips', 'top_dst_ports', 'top_src_ports', 'countries', 'spoofing', 'botnet', 'recommendations'];

describe('breakwater analyze', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-analyze-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--json prints exactly one JSON object with the documented keys', async () => {
    const r = await run([join(FIXTURES, 'syn-flood-spoofed.pcap'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report).sort(), [...KEYS].sort());
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.equal(report.incidents[0].attack_subtype, 'spoofed_syn_flood');
    for (const k of ['attack_family', 'attack_subtype', 'severity', 'peak_pps', 'peak_bps', 'started_at', 'ended_at', 'target', 'top_src_ips', 'top_dst_ports', 'top_src_ports', 'protocol_breakdown', 'tcp_flag_breakdown', 'geo_breakdown', 'spoofing_detected', 'botnet_detected', 'explanation', 'threshold']) {
      assert.ok(k in report.incidents[0], k);
    }
    assert.ok(['pps', 'bps', 'tcp_pct', 'udp_pct', 'icmp_pct'].every((k) => k in report.timeline[0]));
    assert.match(report.incidents[0].started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('the text report shows verdicts, peaks, the rule and the mitigation', async () => {
    const r = await run([join(FIXTURES, 'ntp-amplification.pcap'), '--pps-threshold', '6000']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /udp_flood \/ ntp_amplification — severity MEDIUM/);
    assert.match(r.stdout, /opened by pps 12,000 ≥ 6,000/);
    assert.match(r.stdout, /why: .*source port 123 \(NTP\)/);
    assert.match(r.stdout, /Spoofing: not detected/);
    assert.match(r.stdout, /FlowSpec {3}match \{ dst 10\.200\.66\.5\/32; proto 17; src-port 123 \} then discard/);
    assert.match(r.stdout, /Blackhole {2}10\.200\.66\.5\/32 community 65535:666/);
    assert.match(r.stdout, /Firewall {3}drop udp sport 123/);
  });

  test('- reads a capture from stdin', async () => {
    const r = await run(['-', '--json', '--target', '10.200.66.5'], readFileSync(join(FIXTURES, 'icmp-flood.pcap')));
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.file.name, 'stdin');
    assert.equal(report.incidents[0].attack_family, 'icmp_flood');
  });

  test('bad usage exits 2 and names the flag', async () => {
    const unknown = await run([join(FIXTURES, 'udp-flood.pcap'), '--pps-treshold', '5']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--pps-treshold/);
    const bad = await run([join(FIXTURES, 'udp-flood.pcap'), '--pps-threshold', 'lots']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--pps-threshold: must be an integer/);
    const target = await run([join(FIXTURES, 'udp-flood.pcap'), '--target', '10.0.0.999']);
    assert.equal(target.code, 2);
    assert.match(target.stderr, /--target: .*10\.0\.0\.999/);
    const none = await run(['--json']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /FILE is required/);
  });

  test('a truncated or garbage capture exits 1 with the byte offset', async () => {
    const cut = join(dir, 'cut.pcap');
    await writeFile(cut, readFileSync(join(FIXTURES, 'udp-flood.pcap')).subarray(0, 100_001));
    const r = await run([cut, '--json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.complete, false);
    assert.match(r.stderr, new RegExp(`capture ends inside a record .*at byte ${report.error.offset}`));
    const junk = join(dir, 'junk.pcap');
    await writeFile(junk, Buffer.from('GIF89a not a capture'));
    const g = await run([junk]);
    assert.equal(g.code, 1);
    assert.match(g.stderr, /not a pcap or pcapng capture .*at byte 0/);
    assert.match(g.stdout, /INCOMPLETE/);
    const missing = await run([join(dir, 'nope.pcap')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
  });
});
