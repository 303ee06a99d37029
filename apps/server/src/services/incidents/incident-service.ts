// The incident lifecycle as agents drive it: open (or find the active one of that
// family — retries are idempotent), update while it lasts, resolve.
import { randomUUID } from 'node:crypto';
import { SEVERITIES, type IncidentOpenBody, type IncidentResolveBody, type IncidentUpdateBody, type Severity } from '@breakwater/contracts';
import { fromJson, incidents, toJson, type Db, type IncidentPatch, type IncidentRow, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { notFound } from '../../errors.ts';
import { mergeExtras } from './incident-extras.ts';
import { parseTime } from '../present.ts';

const KNOWN = new Set([
  'attack_family', 'attack_subtype', 'severity', 'peak_pps', 'peak_bps', 'protocol_breakdown', 'tcp_flag_breakdown', 'geo_breakdown',
  'source_ip_count', 'top_src_ips', 'top_dst_ports', 'ioc_matches', 'spoofing_detected', 'botnet_detected', 'confidence',
  'started_at', 'duration_seconds', 'resolved_at',
]);


/** How far past the node's threshold the peak went decides severity when the agent gives none. */
export function severityFromPeak(peakPps: number, threshold: number | null): Severity {
  if (!threshold || threshold <= 0) return 'medium';
  const ratio = peakPps / threshold;
  if (ratio >= 10) return 'critical';
  if (ratio >= 4) return 'high';
  if (ratio >= 1.5) return 'medium';
  return 'low';
}

type AnyBody = IncidentOpenBody | IncidentUpdateBody | IncidentResolveBody;

function extras(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!KNOWN.has(k)) out[k] = v;
  return out;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** incident.updated: the peaks grew without the severity rising (mitigation tiers may still fire). */
export type IncidentEvent = 'incident.opened' | 'incident.escalated' | 'incident.updated' | 'incident.resolved';

export interface IncidentServiceDeps {
  db: Db;
  clock: Clock;
  /** Told of every lifecycle change after it is stored (alerting). Its failure never fails the agent's report. */
  onEvent?: (event: IncidentEvent, incident: IncidentRow, node: NodeRow, previous: IncidentRow | null) => Promise<void>;
  onError?: (err: unknown) => void;
}

export class IncidentService {
  readonly #deps: IncidentServiceDeps;
  constructor(deps: IncidentServiceDeps) {
    this.#deps = deps;
  }

  /** Opens an incident, or updates the node's active one of the same family. */
  async open(node: NodeRow, body: IncidentOpenBody): Promise<{ row: IncidentRow; created: boolean }> {
    const { db, clock } = this.#deps;
    const now = clock.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const active = await incidents.findActiveIncident(db, node.id, body.attack_family);
      if (active) {
        const next = await this.#apply(active, body, false);
        await this.#escalation(active, next, node);
        return { row: next, created: false };
      }
      const peakPps = body.peak_pps ?? 0;
      const row: Omit<IncidentRow, 'id'> = {
        uuid: randomUUID(),
        workspace_id: node.workspace_id,
        node_id: node.id,
        status: 'active',
        attack_family: body.attack_family,
        attack_subtype: body.attack_subtype ?? null,
        severity: body.severity ?? severityFromPeak(peakPps, node.pps_threshold ?? node.baseline_p99_pps),
        peak_pps: Math.round(peakPps),
        peak_bps: Math.round(body.peak_bps ?? 0),
        source_ip_count: body.source_ip_count ?? null,
        spoofing_detected: body.spoofing_detected ? 1 : 0,
        botnet_detected: body.botnet_detected ? 1 : 0,
        confidence: body.confidence ?? null,
        protocol_breakdown: toJson(body.protocol_breakdown ?? {}),
        tcp_flag_breakdown: toJson(body.tcp_flag_breakdown ?? {}),
        geo_breakdown: toJson(body.geo_breakdown ?? {}),
        top_src_ips: toJson(body.top_src_ips ?? []),
        top_dst_ports: toJson(body.top_dst_ports ?? []),
        ioc_matches: toJson(body.ioc_matches ?? (body.ioc_hits !== undefined ? [body.ioc_hits].flat() : [])),
        extra: toJson(mergeExtras({}, extras(body))),
        summary: null,
        started_at: Math.min(parseTime(body.started_at, now), now),
        updated_at: now,
        resolved_at: null,
        duration_seconds: null,
      };
      try {
        const id = await incidents.insertIncident(db, row);
        const created = { ...row, id };
        await this.#emit('incident.opened', created, node, null);
        return { row: created, created: true };
      } catch (err) {
        // Two opens of one family raced: the other one won; merge into it.
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('incident open did not settle after 3 attempts');
  }

  async update(node: NodeRow, uuid: string, body: IncidentUpdateBody): Promise<IncidentRow> {
    const cur = await this.#own(node, uuid);
    const next = await this.#apply(cur, body, false);
    await this.#escalation(cur, next, node);
    return next;
  }

  async resolve(node: NodeRow, uuid: string, body: IncidentResolveBody): Promise<IncidentRow> {
    const current = await this.#own(node, uuid);
    if (current.status !== 'active') return current; // resolving twice changes nothing
    const resolved = await this.#apply(current, body, true);
    await this.#emit('incident.resolved', resolved, node, current);
    return resolved;
  }

  async #escalation(before: IncidentRow, after: IncidentRow, node: NodeRow): Promise<void> {
    if (after.status === 'active' && SEVERITIES.indexOf(after.severity as Severity) > SEVERITIES.indexOf(before.severity as Severity)) {
      await this.#emit('incident.escalated', after, node, before);
    } else if (after.status === 'active' && (after.peak_pps > before.peak_pps || after.peak_bps > before.peak_bps)) {
      await this.#emit('incident.updated', after, node, before);
    }
  }

  async #emit(event: IncidentEvent, incident: IncidentRow, node: NodeRow, previous: IncidentRow | null): Promise<void> {
    if (!this.#deps.onEvent) return;
    try {
      await this.#deps.onEvent(event, incident, node, previous);
    } catch (err) {
      (this.#deps.onError ?? console.error)(err);
    }
  }

  async #own(node: NodeRow, uuid: string): Promise<IncidentRow> {
    const found = await incidents.getIncidentByUuid(this.#deps.db, node.workspace_id, uuid.toLowerCase());
    if (!found || found.node_id !== node.id) throw notFound('Incident');
    return found;
  }

  async #apply(cur: IncidentRow, body: AnyBody, resolving: boolean): Promise<IncidentRow> {
    const now = this.#deps.clock.now();
    const { db } = this.#deps;
    // While it lasts, peaks and severity only rise, atomically; the agent's verdict at resolve is final.
    await incidents.raiseIncident(db, cur.id, {
      peakPps: body.peak_pps, peakBps: body.peak_bps, sourceIpCount: body.source_ip_count, updatedAt: now,
      severity: body.severity !== undefined && !resolving ? { value: body.severity, order: SEVERITIES } : undefined,
    });
    const patch: IncidentPatch = { updated_at: now };
    if (body.severity !== undefined && resolving) patch.severity = body.severity;
    // The family is the agent's verdict at resolve; before that, only a fast-opened incident's
    // placeholder (unknown) is replaced, by the name its first classified update gives it.
    if (body.attack_family !== undefined && (resolving || (cur.attack_family === 'unknown' && body.attack_family !== 'unknown'))) patch.attack_family = body.attack_family;
    if (body.attack_subtype !== undefined) patch.attack_subtype = body.attack_subtype;
    if (body.spoofing_detected !== undefined) patch.spoofing_detected = body.spoofing_detected || cur.spoofing_detected === 1 ? 1 : 0;
    if (body.botnet_detected !== undefined) patch.botnet_detected = body.botnet_detected || cur.botnet_detected === 1 ? 1 : 0;
    if (body.confidence !== undefined) patch.confidence = body.confidence;
    if (body.protocol_breakdown !== undefined) patch.protocol_breakdown = toJson(body.protocol_breakdown);
    if (body.tcp_flag_breakdown !== undefined) patch.tcp_flag_breakdown = toJson(body.tcp_flag_breakdown);
    if (body.geo_breakdown !== undefined) patch.geo_breakdown = toJson(body.geo_breakdown);
    if (body.top_src_ips !== undefined) patch.top_src_ips = toJson(body.top_src_ips);
    if (body.top_dst_ports !== undefined) patch.top_dst_ports = toJson(body.top_dst_ports);
    if (body.ioc_matches !== undefined) patch.ioc_matches = toJson(body.ioc_matches);
    else if (body.ioc_hits !== undefined) patch.ioc_matches = toJson([body.ioc_hits].flat());
    const more = extras(body);
    if (Object.keys(more).length > 0) patch.extra = toJson(mergeExtras(fromJson<Record<string, unknown>>(cur.extra, {}), more));
    if (resolving) {
      const end = Math.max(parseTime((body as IncidentResolveBody).resolved_at, now), cur.started_at);
      patch.status = 'resolved';
      patch.resolved_at = end;
      const reported = (body as IncidentResolveBody).duration_seconds;
      patch.duration_seconds = reported !== undefined ? Math.round(reported) : Math.round((end - cur.started_at) / 1000);
    }
    await incidents.updateIncident(db, cur.id, patch);
    const fresh = await incidents.getIncidentRow(db, cur.id);
    if (!fresh) throw notFound('Incident');
    return fresh;
  }
}
