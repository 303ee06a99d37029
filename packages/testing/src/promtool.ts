// Prometheus's own checker (Debian's prometheus package, promtool only: its server is never
// started). `check metrics` lints an exposition (names, units, _total counters, help texts);
// `check rules` and `test rules` check alerting rules and their unit tests.
import { spawn } from 'node:child_process';

export interface PromtoolResult {
  code: number | null;
  output: string;
}

/** Runs promtool with `args`, `stdin` written to it; stdout and stderr together. */
export function promtool(args: string[], stdin?: string, timeoutMs = 20_000): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, output }));
    p.stdin.end(stdin ?? '');
  });
}

/** `promtool check metrics` on an exposition: resolves with its findings, empty when it passes. */
export async function checkMetricsText(text: string): Promise<string> {
  const r = await promtool(['check', 'metrics'], text);
  return r.code === 0 ? '' : `promtool exit ${r.code}: ${r.output.trim()}`;
}

/** Metric family names of an exposition (from its # TYPE lines). */
export function metricFamilies(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.add(m[1]!);
  return out;
}

/** The value of one sample line `name{labels} value` (labels as given, in order), or undefined. */
export function sampleValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
