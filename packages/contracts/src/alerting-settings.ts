// Shapes of the alerting and workspace set-up calls the dashboard makes: a channel's delivery
// history, and the workspace settings an admin changes (/api/dash/workspace). The server's routes
// validate with these and the dashboard's forms are drawn from them: one definition.
import { Type, type Static } from 'typebox';
import { Delivery, DELIVERY_STATUSES } from './channels.ts';
import { Limit, Offset, SafeText } from './common.ts';

export const DeliveryAttempt = Type.Object({
  attempt: Type.Integer(), started_at: Type.String(), duration_ms: Type.Integer(), outcome: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()]), detail: Type.Union([Type.String(), Type.Null()]),
});
export const DeliveryWithAttempts = Type.Intersect([Delivery, Type.Object({ attempts_log: Type.Array(DeliveryAttempt) })]);
export type DeliveryWithAttempts = Static<typeof DeliveryWithAttempts>;
export const DeliveriesQuery = Type.Object(
  { limit: Type.Optional(Limit(100, 50)), offset: Type.Optional(Offset), status: Type.Optional(Type.Enum(DELIVERY_STATUSES)) },
  { additionalProperties: false },
);

export const IocPattern = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Letters, digits, _ . - (1–64)' }),
    name: Type.Optional(SafeText({ maxLength: 200 })),
    hex: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{2}){1,256}$', description: 'Payload bytes as hex pairs' })),
    ascii: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Payload text' })),
  },
  { additionalProperties: false },
);

/** What agents receive in their config (GET agent/config). */
export const AgentSettings = Type.Object(
  {
    ioc_patterns: Type.Optional(Type.Array(IocPattern, { maxItems: 500, description: 'Payload signatures agents report as IOC hits' })),
    attack_cooldown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds' })),
    attack_holddown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds' })),
    pcap_enabled: Type.Optional(Type.Boolean()),
    ip_blocklist: Type.Optional(Type.Array(Type.String({ format: 'ip' }), { maxItems: 10_000 })),
    service_ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type AgentSettings = Static<typeof AgentSettings>;

export const WorkspaceSettingsPatch = Type.Object(
  {
    name: Type.Optional(SafeText({ minLength: 1, maxLength: 100 })),
    rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'API requests per minute for this workspace' })),
    node_quota: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Most nodes this workspace may have' })),
    settings: Type.Optional(AgentSettings),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type WorkspaceSettingsPatch = Static<typeof WorkspaceSettingsPatch>;

export const WorkspaceSettings = Type.Object({
  id: Type.String(), name: Type.String(), rate_limit_per_minute: Type.Integer(), node_quota: Type.Integer(), settings: AgentSettings,
});
export type WorkspaceSettings = Static<typeof WorkspaceSettings>;
