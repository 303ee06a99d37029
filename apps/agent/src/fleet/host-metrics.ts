// The host as the fleet sees it: CPU, memory, disk, uptime and load, read cheaply from /proc
// and statfs (a few small reads, no process spawned). CPU is the busy share since the
// previous sample (the first sample has none to compare with: since boot).
import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface HostSample {
  cpu_percent: number | null;
  mem_percent: number | null;
  disk_percent: number | null;
  uptime_s: number | null;
  load1: number | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const clampPct = (n: number) => round1(Math.min(100, Math.max(0, n)));

async function read(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** The aggregate `cpu` line of /proc/stat: busy and total jiffies. */
export function parseCpu(stat: string): { busy: number; total: number } | null {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal (guest is already inside user)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3]! + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Used share of memory: MemTotal less MemAvailable (what can be had without swapping). */
export function parseMemPercent(meminfo: string): number | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo);
    return m ? Number(m[1]) : null;
  };
  const total = kb('MemTotal');
  const avail = kb('MemAvailable');
  if (!total || avail === null) return null;
  return clampPct(((total - avail) / total) * 100);
}

export class HostMetrics {
  readonly #proc: string;
  readonly #disk: string;
  #lastCpu: { busy: number; total: number } | null = null;

  constructor(opts: { procDir?: string; diskPath?: string } = {}) {
    this.#proc = opts.procDir ?? '/proc';
    this.#disk = opts.diskPath ?? '/';
  }

  async sample(): Promise<HostSample> {
    const [stat, meminfo, uptime, loadavg] = await Promise.all(['stat', 'meminfo', 'uptime', 'loadavg'].map((f) => read(join(this.#proc, f))));
    let cpu: number | null = null;
    const now = stat ? parseCpu(stat) : null;
    if (now) {
      const prev = this.#lastCpu ?? { busy: 0, total: 0 };
      const dt = now.total - prev.total;
      cpu = dt > 0 ? clampPct(((now.busy - prev.busy) / dt) * 100) : this.#lastCpu ? 0 : null;
      this.#lastCpu = now;
    }
    let disk: number | null = null;
    try {
      const s = await statfs(this.#disk);
      // as df counts it: used over what users can have (used + available to unprivileged)
      const used = (s.blocks - s.bfree) * s.bsize;
      const avail = s.bavail * s.bsize;
      disk = used + avail > 0 ? clampPct((used / (used + avail)) * 100) : null;
    } catch {
      disk = null;
    }
    const up = uptime ? Number(uptime.split(/\s+/)[0]) : NaN;
    const load = loadavg ? Number(loadavg.split(/\s+/)[0]) : NaN;
    return {
      cpu_percent: cpu,
      mem_percent: meminfo ? parseMemPercent(meminfo) : null,
      disk_percent: disk,
      uptime_s: Number.isFinite(up) ? Math.floor(up) : null,
      load1: Number.isFinite(load) ? load : null,
    };
  }
}

/** PRETTY_NAME of /etc/os-release ("Debian GNU/Linux 12 (bookworm)"), or null. */
export async function osName(path = '/etc/os-release'): Promise<string | null> {
  const text = await read(path);
  const m = text ? /^PRETTY_NAME=(?:"([^"\n]*)"|([^\n]*))$/m.exec(text) : null;
  const v = m ? (m[1] ?? m[2] ?? '').trim() : '';
  return v ? v.slice(0, 200) : null;
}
