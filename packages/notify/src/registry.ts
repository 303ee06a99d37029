import { CHANNEL_CONFIG_SCHEMAS, CHANNEL_TYPES, configProblems, type ChannelType } from '@breakwater/contracts';
import { Value } from 'typebox/value';
import type { ChannelConfigs, ChannelDeps, ChannelFactory, NotificationChannel } from './channel.ts';
import { normaliseChannelConfig } from './config-aliases.ts';
import { createDatadogChannel } from './channels/datadog/datadog.ts';
import { createDiscordChannel } from './channels/discord/discord.ts';
import { createEmailChannel } from './channels/email/email.ts';
import { createGrafanaChannel } from './channels/grafana/grafana.ts';
import { createOpsgenieChannel } from './channels/opsgenie/opsgenie.ts';
import { createPagerDutyChannel } from './channels/pagerduty/pagerduty.ts';
import { createPrometheusChannel } from './channels/prometheus/prometheus.ts';
import { createSlackChannel } from './channels/slack/slack.ts';
import { createSmsChannel } from './channels/sms/sms.ts';
import { createTeamsChannel } from './channels/teams/teams.ts';
import { createTelegramChannel } from './channels/telegram/telegram.ts';
import { createWebhookChannel } from './channels/webhook/webhook.ts';

/** Every type in contracts' CHANNEL_TYPES must be wired here, or this fails to compile. */
export const CHANNEL_FACTORIES: { readonly [T in ChannelType]: ChannelFactory<T> } = {
  discord: createDiscordChannel,
  slack: createSlackChannel,
  email: createEmailChannel,
  sms: createSmsChannel,
  pagerduty: createPagerDutyChannel,
  opsgenie: createOpsgenieChannel,
  webhook: createWebhookChannel,
  teams: createTeamsChannel,
  telegram: createTelegramChannel,
  grafana: createGrafanaChannel,
  datadog: createDatadogChannel,
  prometheus: createPrometheusChannel,
};

export class ChannelConfigError extends Error {
  readonly code = 'invalid_channel_config';
  readonly status = 400;
  readonly errors: Array<{ key: string; message: string }>;
  constructor(type: string, errors: Array<{ key: string; message: string }>) {
    super(`invalid ${type} channel config: ${errors.map((e) => `${e.key || '(config)'} ${e.message}`).join('; ')}`);
    this.errors = errors;
  }
}

export function isChannelType(t: string): t is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(t);
}

/** Errors name the key, never echo the value (it may be a credential). */
export function validateChannelConfig<T extends ChannelType>(type: T, config: unknown): ChannelConfigs[T] {
  const schema = CHANNEL_CONFIG_SCHEMAS[type];
  if (Value.Check(schema, config)) return config;
  const errors = configProblems(schema, config, { echo: false })
    .map((p) => (p.unknown ? { key: `unknown key ${p.key}`, message: p.message.replace(/^unknown key ?/, '') } : { key: p.key, message: p.message }));
  throw new ChannelConfigError(type, errors);
}

/** Validates the config, then builds the channel (no I/O). Throws ChannelConfigError. */
export function createChannel(type: string, config: unknown, deps: ChannelDeps): NotificationChannel {
  if (!isChannelType(type)) throw new ChannelConfigError(type, [{ key: 'type', message: `must be one of ${CHANNEL_TYPES.join(', ')}` }]);
  const normal = normaliseChannelConfig(type, config);
  if (normal.conflict) throw new ChannelConfigError(type, [{ key: 'config', message: normal.conflict }]);
  return buildChannel(type, validateChannelConfig(type, normal.config), deps);
}

function buildChannel<T extends ChannelType>(type: T, config: ChannelConfigs[T], deps: ChannelDeps): NotificationChannel {
  const factory: ChannelFactory<T> = CHANNEL_FACTORIES[type];
  return factory(config, deps);
}
