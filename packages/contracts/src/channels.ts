import { Type, type Static, type TSchema } from 'typebox';
import { IsoTime, SafeText } from './common.ts';

export const CHANNEL_TYPES = [
  'discord', 'slack', 'email', 'sms', 'pagerduty', 'opsgenie', 'webhook', 'teams', 'telegram', 'grafana', 'datadog', 'prometheus',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const Url = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });
const Secret = (min = 1, max = 512) => Type.String({ minLength: min, maxLength: max });
const Email = Type.String({ format: 'email', maxLength: 254 });
const obj = (props: Record<string, TSchema>) => Type.Object(props, { additionalProperties: false });

/** What each channel type needs; the registry fails to compile until a new type is added here. */
export const CHANNEL_CONFIG_SCHEMAS: Record<ChannelType, TSchema> = {
  discord: obj({ webhook_url: Url }),
  slack: obj({ webhook_url: Url, channel: Type.Optional(Type.String({ maxLength: 80 })) }),
  teams: obj({ webhook_url: Url }),
  webhook: obj({ url: Url, secret: Type.Optional(Secret(16)), headers: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }))) }),
  email: obj({ to: Type.Array(Email, { minItems: 1, maxItems: 50 }), from: Type.Optional(Email), smtp_url: Type.Optional(Type.String({ pattern: '^smtps?://', maxLength: 2048 })) }),
  sms: obj({ api_url: Url, api_key: Secret(), to: Type.Array(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }), { minItems: 1, maxItems: 20 }), from: Type.String({ minLength: 1, maxLength: 20, description: 'E.164 number or alphanumeric sender id (Telnyx requires it)' }) }),
  pagerduty: obj({ routing_key: Type.String({ pattern: '^[A-Za-z0-9]{32}$' }), events_url: Type.Optional(Url) }),
  opsgenie: obj({ api_key: Secret(), api_url: Type.Optional(Url), responders: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })) }),
  telegram: obj({ bot_token: Type.String({ pattern: '^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$' }), chat_id: Type.Union([Type.Integer(), Type.String({ minLength: 1, maxLength: 100 })]), api_url: Type.Optional(Url) }),
  grafana: obj({ url: Url, api_key: Secret(), dashboard_uid: Type.Optional(Type.String({ maxLength: 100 })) }),
  datadog: obj({ api_key: Secret(), site: Type.Optional(Type.String({ pattern: '^[a-z0-9.-]+$', maxLength: 100 })), api_url: Type.Optional(Url) }),
  prometheus: obj({ alertmanager_url: Url, basic_auth: Type.Optional(obj({ username: Type.String({ maxLength: 200 }), password: Secret() })) }),
};

/** Config keys that hold credentials: never returned in full. */
export const CHANNEL_SECRET_KEYS: Record<ChannelType, string[]> = {
  discord: ['webhook_url'],
  slack: ['webhook_url'],
  teams: ['webhook_url'],
  // custom headers usually carry a token
  webhook: ['secret', 'headers'],
  email: ['smtp_url'],
  sms: ['api_key'],
  pagerduty: ['routing_key'],
  opsgenie: ['api_key'],
  telegram: ['bot_token'],
  grafana: ['api_key'],
  datadog: ['api_key'],
  prometheus: ['basic_auth'],
};

/** What a channel is told about. */
export const NOTIFY_EVENTS = ['incident.opened', 'incident.escalated', 'incident.mitigated', 'incident.resolved'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const ChannelFilters = Type.Object(
  {
    nodes: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000, description: 'Only incidents on these nodes' })),
    tags: Type.Optional(Type.Array(SafeText({ minLength: 1, maxLength: 64 }), { maxItems: 100, description: 'Only incidents on nodes with one of these tags' })),
    events: Type.Optional(Type.Array(Type.Enum(NOTIFY_EVENTS), { minItems: 1, description: 'Only these events (default: all)' })),
  },
  { additionalProperties: false },
);
export type ChannelFilters = Static<typeof ChannelFilters>;

const channelFields = {
  name: SafeText({ minLength: 1, maxLength: 100 }),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'Type-specific configuration object (e.g. {"webhook_url":"..."})' }),
  enabled: Type.Optional(Type.Boolean()),
  min_severity: Type.Optional(Type.Enum(['low', 'medium', 'high', 'critical'], { description: 'Least severe incident this channel hears about (default low)' })),
  filters: Type.Optional(ChannelFilters),
};

export const ChannelCreateBody = Type.Object({ ...channelFields, type: Type.Enum(CHANNEL_TYPES) }, { additionalProperties: false });
export type ChannelCreateBody = Static<typeof ChannelCreateBody>;

/** Partial update; `config` replaces the whole config, except secrets sent back masked ("****…"), which are kept. */
export const ChannelUpdateBody = Type.Object(
  {
    name: Type.Optional(channelFields.name),
    config: Type.Optional(channelFields.config),
    enabled: channelFields.enabled,
    min_severity: channelFields.min_severity,
    filters: channelFields.filters,
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ChannelUpdateBody = Static<typeof ChannelUpdateBody>;

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed', 'suppressed'] as const;

export const Delivery = Type.Object({
  id: Type.Integer(),
  channel_id: Type.String(),
  incident_uuid: Type.Union([Type.String(), Type.Null()]),
  event: Type.String(),
  status: Type.Enum(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([IsoTime, Type.Null()]),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: IsoTime,
  delivered_at: Type.Union([IsoTime, Type.Null()]),
});

export const MaintenanceWindowBody = Type.Object(
  {
    name: SafeText({ minLength: 1, maxLength: 100 }),
    starts_at: Type.String({ format: 'date-time' }),
    ends_at: Type.String({ format: 'date-time' }),
    nodes: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000, description: 'Nodes it covers; empty or absent: every node' })),
  },
  { additionalProperties: false },
);
export type MaintenanceWindowBody = Static<typeof MaintenanceWindowBody>;

export const MaintenanceWindow = Type.Object({
  id: Type.String(), name: Type.String(), starts_at: IsoTime, ends_at: IsoTime, nodes: Type.Array(Type.String()), created_at: IsoTime,
});

export const Channel = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  min_severity: Type.String(),
  filters: ChannelFilters,
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'Secrets are masked' }),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type Channel = Static<typeof Channel>;
