// The mitigation set-up calls the dashboard makes (adapters, escalation policy, per-host thresholds,
// allowlist), part of DASHBOARD_API: kept in their own table so the pages that share that file
// each add theirs without touching the others'.
import { Type } from 'typebox';
import { Ok } from './common.ts';
import { AdapterDeleted, AdapterTypeInfo, AllowCreated, AllowListQuery } from './mitigation-admin.ts';
import { AdapterBody, AdapterInfo, AllowBody, AllowInfo, EscalationPolicy, PolicyBody, ThresholdBody, ThresholdInfo } from './mitigation-api.ts';
import { Deleted } from './replies.ts';

export const DASHBOARD_MITIGATION_API = {
  'GET /api/v1/mitigation/adapter-types': { status: 200, reply: Ok(Type.Array(AdapterTypeInfo)) },
  'POST /api/v1/mitigation/adapters': { status: 201, body: AdapterBody, reply: Ok(AdapterInfo) },
  'PUT /api/v1/mitigation/adapters/:id': { status: 200, body: AdapterBody, reply: Ok(AdapterInfo) },
  'DELETE /api/v1/mitigation/adapters/:id': { status: 200, reply: Ok(AdapterDeleted) },
  'GET /api/v1/mitigation/escalation-policy': { status: 200, reply: Ok(EscalationPolicy) },
  'PUT /api/v1/mitigation/escalation-policy': { status: 200, body: PolicyBody, reply: Ok(EscalationPolicy) },
  'GET /api/v1/mitigation/thresholds': { status: 200, reply: Ok(Type.Array(ThresholdInfo)) },
  'POST /api/v1/mitigation/thresholds': { status: 200, body: ThresholdBody, reply: Ok(ThresholdInfo) },
  'PUT /api/v1/mitigation/thresholds/:id': { status: 200, body: ThresholdBody, reply: Ok(ThresholdInfo) },
  'DELETE /api/v1/mitigation/thresholds/:id': { status: 200, reply: Ok(Deleted) },
  'GET /api/v1/allowlist': { status: 200, query: AllowListQuery, reply: Ok(Type.Array(AllowInfo)) },
  'POST /api/v1/allowlist': { status: 201, body: AllowBody, reply: Ok(AllowCreated) },
  'DELETE /api/v1/allowlist/:id': { status: 200, reply: Ok(Deleted) },
};
