// Numbers and times as operators read them: 1.2 Mpps, 8.4 Gbps, "3 min ago".
const UNITS = ['', 'k', 'M', 'G', 'T'];

export function si(v: number | null | undefined, unit: string, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < UNITS.length - 1) {
    x /= 1000;
    i++;
  }
  const s = i === 0 ? String(Math.round(x)) : x.toFixed(x >= 100 ? 0 : digits);
  return `${v < 0 ? '-' : ''}${s} ${UNITS[i]}${unit}`;
}

export const pps = (v: number | null | undefined) => si(v, 'pps');
export const bps = (v: number | null | undefined) => si(v, 'bps');
export const bytes = (v: number | null | undefined) => si(v, 'B');
export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 10) / 10} %`);

export function time(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ago(iso: string | number | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return 'never';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

export const label = (s: string | null | undefined) => (s ? s.replace(/_/g, ' ') : '—');
