// Host metrics from /proc and statfs: the parsers on known text, and a real sample of this machine.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostMetrics, osName, parseCpu, parseMemPercent } from './host-metrics.ts';

test('parsers: /proc/stat busy and total jiffies, /proc/meminfo used share from MemAvailable, os-release PRETTY_NAME', async () => {
  assert.deepEqual(parseCpu('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n'), { busy: 150, total: 1000 });
  assert.equal(parseCpu('intr 1 2 3\n'), null);
  assert.equal(parseMemPercent('MemTotal:       1000000 kB\nMemFree:  100 kB\nMemAvailable:    250000 kB\n'), 75);
  assert.equal(parseMemPercent('MemTotal: 0 kB\n'), null);
  const dir = mkdtempSync(join(tmpdir(), 'bw-os-'));
  writeFileSync(join(dir, 'os-release'), 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  assert.equal(await osName(join(dir, 'os-release')), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(await osName(join(dir, 'missing')), null);
});

test('CPU is the busy share between two samples (a fake /proc), memory and uptime read from it too', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'bw-proc-'));
  const write = (stat: string) => writeFileSync(join(proc, 'stat'), stat);
  writeFileSync(join(proc, 'meminfo'), 'MemTotal: 2000 kB\nMemAvailable: 500 kB\n');
  writeFileSync(join(proc, 'uptime'), '12345.67 999.0\n');
  writeFileSync(join(proc, 'loadavg'), '0.42 0.30 0.20 1/100 42\n');
  write('cpu  100 0 100 800 0 0 0 0\n');
  const m = new HostMetrics({ procDir: proc });
  await m.sample();
  write('cpu  130 0 130 840 0 0 0 0\n'); // 60 busy of 100
  const s = await m.sample();
  assert.deepEqual({ ...s, disk_percent: null }, { cpu_percent: 60, mem_percent: 75, disk_percent: null, uptime_s: 12345, load1: 0.42 });
  assert.ok(s.disk_percent! >= 0 && s.disk_percent! <= 100);
});

test('a real sample of this machine: every value present and in range', async () => {
  const m = new HostMetrics();
  await m.sample();
  const s = await m.sample();
  for (const k of ['cpu_percent', 'mem_percent', 'disk_percent'] as const) assert.ok(s[k] !== null && s[k] >= 0 && s[k] <= 100, `${k}: ${s[k]}`);
  assert.ok(s.uptime_s! > 0);
  assert.ok(s.load1! >= 0);
});
