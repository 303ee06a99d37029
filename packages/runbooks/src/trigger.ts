// Whether an incident event fires a runbook: its trigger conditions over plain incident and node
// facts. An `opened` runbook whose thresholds the incident reaches only later (its peaks grow)
// fires then, once: the caller passes event `opened` for such updates of an active incident.
import { SEVERITIES, type RunbookEvent, type TriggerConditions } from '@breakwater/contracts';

export interface TriggerFacts {
  family: string;
  subtype: string | null;
  severity: string;
  peak_pps: number;
  peak_bps: number;
  node_uuid: string;
  node_tags: readonly string[];
}

const rank = (s: string) => Math.max(0, SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]));

export function triggerMatches(t: TriggerConditions, event: RunbookEvent, f: TriggerFacts): boolean {
  if (!(t.events ?? ['opened']).includes(event)) return false;
  if (t.attack_families?.length && !t.attack_families.includes(f.family)) return false;
  if (t.attack_subtypes?.length && (f.subtype === null || !t.attack_subtypes.includes(f.subtype))) return false;
  if (t.min_severity && rank(f.severity) < rank(t.min_severity)) return false;
  if (t.min_pps !== undefined && f.peak_pps < t.min_pps) return false;
  if (t.min_bps !== undefined && f.peak_bps < t.min_bps) return false;
  if (t.nodes?.length && !t.nodes.includes(f.node_uuid)) return false;
  if (t.tags?.length && !t.tags.some((x) => f.node_tags.includes(x))) return false;
  return true;
}
