// What the engine emits. Every event carries a copy of the incident as it stands, so a consumer
// can forward it without keeping engine state of its own.
import type { Incident } from './incident.ts';

export type NodeState = 'normal' | 'elevated' | 'attack';

export type UpdateReason = 'periodic' | 'escalated' | 'peak' | 'reclassified' | 'threshold';

export type DetectionEvent =
  | { type: 'incident.opened'; at: number; incident: Incident }
  | { type: 'incident.updated'; at: number; reasons: UpdateReason[]; incident: Incident }
  | { type: 'incident.resolved'; at: number; incident: Incident }
  | { type: 'state.changed'; at: number; from: NodeState; to: NodeState };
