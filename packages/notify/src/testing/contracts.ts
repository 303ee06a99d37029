import type { ChannelType } from '@breakwater/contracts';
import { datadogContract } from '../channels/datadog/datadog.contract.ts';
import { discordContract } from '../channels/discord/discord.contract.ts';
import { emailContract } from '../channels/email/email.contract.ts';
import { grafanaContract } from '../channels/grafana/grafana.contract.ts';
import { opsgenieContract } from '../channels/opsgenie/opsgenie.contract.ts';
import { pagerdutyContract } from '../channels/pagerduty/pagerduty.contract.ts';
import { prometheusContract } from '../channels/prometheus/prometheus.contract.ts';
import { slackContract } from '../channels/slack/slack.contract.ts';
import { smsContract } from '../channels/sms/sms.contract.ts';
import { teamsContract } from '../channels/teams/teams.contract.ts';
import { telegramContract } from '../channels/telegram/telegram.contract.ts';
import { webhookContract } from '../channels/webhook/webhook.contract.ts';
import type { ChannelContract } from './channel-contract.ts';

/** A new channel type fails to compile until it has a fake provider here too. */
export const CHANNEL_CONTRACTS: { readonly [T in ChannelType]: ChannelContract<T, unknown> } = {
  discord: discordContract,
  slack: slackContract,
  email: emailContract,
  sms: smsContract,
  pagerduty: pagerdutyContract,
  opsgenie: opsgenieContract,
  webhook: webhookContract,
  teams: teamsContract,
  telegram: telegramContract,
  grafana: grafanaContract,
  datadog: datadogContract,
  prometheus: prometheusContract,
};
