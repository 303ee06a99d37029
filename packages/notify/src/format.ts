import type { Severity } from '@breakwater/contracts';
import type { Notification, NotificationEvent } from './notification.ts';

const SI = ['', 'K', 'M', 'G', 'T', 'P'];

function si(n: number, unit: string): string {
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1000 && i < SI.length - 1) { v /= 1000; i++; }
  const digits = v >= 100 || i === 0 ? 0 : 1;
  return `${v.toFixed(digits)} ${SI[i]}${unit}`;
}

export const formatPps = (pps: number): string => si(pps, 'pps');
export const formatBps = (bps: number): string => si(bps, 'bps');

export const EVENT_VERB: Record<NotificationEvent, string> = {
  'incident.opened': 'Attack detected',
  'incident.escalated': 'Attack escalated',
  'incident.mitigated': 'Attack mitigated',
  'incident.resolved': 'Attack ended',
  test: 'Test notification',
};

export const SEVERITY_COLOR: Record<Severity, number> = {
  low: 0x3b82f6,
  medium: 0xf59e0b,
  high: 0xf97316,
  critical: 0xdc2626,
};
export const RESOLVED_COLOR = 0x16a34a;

export function colorOf(n: Notification): number {
  return n.event === 'incident.resolved' ? RESOLVED_COLOR : SEVERITY_COLOR[n.incident.severity];
}

export function attackName(n: Notification): string {
  const i = n.incident;
  return i.attack_subtype ? `${i.attack_family} (${i.attack_subtype})` : i.attack_family;
}

/** "Attack detected: udp_flood (ntp_amplification) on web-1 (203.0.113.5) — CRITICAL" */
export function titleOf(n: Notification): string {
  const i = n.incident;
  if (n.event === 'test') return `${EVENT_VERB.test} from Breakwater`;
  return `${EVENT_VERB[n.event]}: ${attackName(n)} on ${i.node_name} (${i.node_ip}) — ${i.severity.toUpperCase()}`;
}

export function durationOf(n: Notification): string | null {
  const i = n.incident;
  if (!i.resolved_at) return null;
  const s = Math.max(0, Math.round((Date.parse(i.resolved_at) - Date.parse(i.started_at)) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

/** Label/value pairs every rich channel shows, in this order. */
export function factsOf(n: Notification): Array<[string, string]> {
  const i = n.incident;
  const facts: Array<[string, string]> = [
    ['Node', `${i.node_name} (${i.node_ip})`],
    ['Attack', attackName(n)],
    ['Severity', i.severity],
    ['Peak', `${formatPps(i.peak_pps)} / ${formatBps(i.peak_bps)}`],
    ['Started', i.started_at],
  ];
  if (i.resolved_at) facts.push(['Resolved', `${i.resolved_at} (${durationOf(n)})`]);
  if (i.top_sources.length) facts.push(['Top sources', topSources(n, 5)]);
  if (i.top_ports.length) facts.push(['Top ports', topPorts(n, 5)]);
  if (i.mitigation) facts.push(['Mitigation', i.mitigation]);
  facts.push(['Incident', i.uuid]);
  return facts;
}

const pct = (share: number | undefined): string => (share == null ? '' : ` ${Math.round(share * 100)}%`);

export function topSources(n: Notification, max: number): string {
  return n.incident.top_sources.slice(0, max).map((s) => `${s.ip}${s.country ? ` [${s.country}]` : ''}${pct(s.share)}`).join(', ');
}

export function topPorts(n: Notification, max: number): string {
  return n.incident.top_ports.slice(0, max).map((p) => `${p.port}${p.protocol ? `/${p.protocol}` : ''}${pct(p.share)}`).join(', ');
}

/** Plain text body shared by channels without rich formatting (email text part, webhook-less fallbacks). */
export function plainText(n: Notification): string {
  const lines = [titleOf(n), '', n.incident.summary, '', ...factsOf(n).map(([k, v]) => `${k}: ${v}`)];
  if (n.incident.dashboard_url) lines.push('', `Dashboard: ${n.incident.dashboard_url}`);
  return lines.join('\n');
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
