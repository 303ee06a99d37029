// CPU and memory of a process and of its tcpdump child, from /proc.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime in seconds. */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

export function rssMb(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)![1]) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The pid of the process's child named `comm`, if any. */
export function childNamed(pid: number, comm: string): number | null {
  for (const task of existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`) : []) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const c of children) {
      try {
        if (readFileSync(`/proc/${c}/comm`, 'utf8').trim() === comm) return c;
      } catch {
        // exited meanwhile
      }
    }
  }
  return null;
}

/** CPU share (1 = one core) of each pid over a span of work. */
export async function cpuShare<T>(pids: number[], work: () => Promise<T> | T): Promise<{ result: T; shares: number[]; seconds: number }> {
  const c0 = pids.map(cpuSeconds);
  const w0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - w0) / 1000;
  return { result, shares: pids.map((p, i) => (cpuSeconds(p) - c0[i]!) / seconds), seconds };
}

/** Resident memory by kind of mapping (from smaps): where an RSS figure comes from. */
export function rssBreakdown(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1]!.trim() === '' ? '[anon]' : head[1]!.trim().split('/').slice(-1)[0]!;
      continue;
    }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m) out[name] = (out[name] ?? 0) + Number(m[1]) / 1024;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v)]));
}
