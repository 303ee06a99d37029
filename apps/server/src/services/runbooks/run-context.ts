// What an execution's templates and conditions see: the incident and node it runs for (refreshed
// at every step, so a condition reads the peaks and the node's pps of now), or the synthetic
// context of a test run without a node.
import type { TemplateVariable } from '@breakwater/contracts';
import { fromJson, type IncidentRow, type NodeRow } from '@breakwater/db';
import { SYNTHETIC_FACTS, SYNTHETIC_VARS, type TemplateVars } from '@breakwater/runbooks';

export interface RunIdentity { runbookId: string; runbookName: string; executionId: string; event: string | null }

const first = <T>(json: string, key: keyof T): string => {
  const list = fromJson<T[]>(json, []);
  const v = list[0]?.[key];
  return v === undefined || v === null ? '' : String(v);
};

export function varsOf(incident: IncidentRow | null, node: NodeRow | null, id: RunIdentity): TemplateVars {
  const own: Partial<Record<TemplateVariable, string>> = { 'runbook.id': id.runbookId, 'runbook.name': id.runbookName, 'execution.id': id.executionId, 'incident.event': id.event ?? 'test' };
  if (!node) return { ...SYNTHETIC_VARS, ...own };
  const base: TemplateVars = {
    ...SYNTHETIC_VARS,
    'incident.id': '', 'incident.family': '', 'incident.subtype': '', 'incident.severity': '', 'incident.peak_pps': '0', 'incident.peak_bps': '0',
    'incident.started_at': '', 'incident.top_source': '', 'incident.top_port': '',
    'incident.target': node.ip, 'incident.current_pps': String(node.last_pps ?? 0),
    'node.id': node.uuid, 'node.name': node.name, 'node.ip': node.ip,
    ...own,
  };
  if (!incident) return base;
  return {
    ...base,
    'incident.id': incident.uuid,
    'incident.family': incident.attack_family,
    'incident.subtype': incident.attack_subtype ?? '',
    'incident.severity': incident.severity,
    'incident.peak_pps': String(incident.peak_pps),
    'incident.peak_bps': String(incident.peak_bps),
    'incident.started_at': new Date(incident.started_at).toISOString(),
    'incident.top_source': first<{ ip: string }>(incident.top_src_ips, 'ip'),
    'incident.top_port': first<{ port: number }>(incident.top_dst_ports, 'port'),
  };
}

export function factsOf(incident: IncidentRow | null, node: NodeRow | null): Record<string, string | number | string[] | null> {
  if (!node) return { ...SYNTHETIC_FACTS };
  const tags = fromJson<string[]>(node.tags, []);
  if (!incident) return { 'incident.current_pps': node.last_pps ?? null, 'node.tags': tags };
  return {
    'incident.family': incident.attack_family,
    'incident.subtype': incident.attack_subtype,
    'incident.severity': incident.severity,
    'incident.peak_pps': incident.peak_pps,
    'incident.peak_bps': incident.peak_bps,
    'incident.current_pps': node.last_pps ?? null,
    'incident.status': incident.status,
    'node.tags': tags,
  };
}
