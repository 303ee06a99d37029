// The synthetic context of a test run without a node, and the sample values save-time checks
// render templates with: documentation addresses (RFC 5737), never anyone's real host.
import type { TemplateVars } from './template.ts';

export const SYNTHETIC_VARS: TemplateVars = {
  'incident.id': '00000000-0000-4000-8000-000000000000',
  'incident.target': '192.0.2.10',
  'incident.family': 'udp_flood',
  'incident.subtype': 'dns_amplification',
  'incident.severity': 'high',
  'incident.peak_pps': '250000',
  'incident.peak_bps': '1200000000',
  'incident.current_pps': '180000',
  'incident.started_at': '2026-01-01T00:00:00.000Z',
  'incident.top_source': '198.51.100.7',
  'incident.top_port': '53',
  'incident.event': 'opened',
  'node.id': '00000000-0000-4000-8000-000000000001',
  'node.name': 'synthetic-node',
  'node.ip': '192.0.2.10',
  'runbook.id': 'runbook',
  'runbook.name': 'runbook',
  'execution.id': 'execution',
};

export const SYNTHETIC_FACTS: Record<string, string | number | string[] | null> = {
  'incident.family': 'udp_flood',
  'incident.subtype': 'dns_amplification',
  'incident.severity': 'high',
  'incident.peak_pps': 250_000,
  'incident.peak_bps': 1_200_000_000,
  'incident.current_pps': 180_000,
  'incident.status': 'active',
  'node.tags': [],
};
