import { Type, type Static, type TSchema } from 'typebox';
import { IsoTime } from './common.ts';

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
  sms: obj({ api_url: Url, api_key: Secret(), to: Type.Array(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }), { minItems: 1, maxItems: 20 }), from: Type.Optional(Type.String({ maxLength: 20 })) }),
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
  webhook: ['secret'],
  email: ['smtp_url'],
  sms: ['api_key'],
  pagerduty: ['routing_key'],
  opsgenie: ['api_key'],
  telegram: ['bot_token'],
  grafana: ['api_key'],
  datadog: ['api_key'],
  prometheus: ['basic_auth'],
};

export const ChannelCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    type: Type.Enum(CHANNEL_TYPES),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Type-specific configuration object (e.g. {"webhook_url":"..."})' }),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ChannelCreateBody = Static<typeof ChannelCreateBody>;

export const Channel = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'Secrets are masked' }),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type Channel = Static<typeof Channel>;
