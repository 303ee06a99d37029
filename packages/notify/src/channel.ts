import type { ChannelType, OutboundReach } from '@breakwater/contracts';
import type { Resolver } from '@breakwater/outbound';
import type { DeliveryResult } from './delivery-result.ts';
import type { Notification } from './notification.ts';

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Everything a channel touches outside itself comes in here: no module globals. */
export interface ChannelDeps {
  /** undici's fetch unless a test wraps one (it must pass `init` through: the policy pins the connection there). */
  fetch?: FetchFn;
  /** Non-public ranges this channel may reach (the operator's outbound config for its type); none by default. */
  reach?: readonly OutboundReach[];
  /** DNS for outbound calls (tests answer names themselves); the system resolver by default. */
  resolve?: Resolver;
  /** Wall clock, ms since the epoch: timestamps in messages, Retry-After dates, durations. */
  now: () => number;
  /** Deadline for one attempt (connect + request + reply), ms. */
  timeoutMs: number;
  /** Sent as User-Agent (HTTP) and X-Mailer (email). */
  userAgent?: string;
  /** Defaults for email channels whose config leaves them out (the server's own SMTP settings). */
  email?: { smtpUrl?: string; from?: string };
}

export interface SendContext {
  /** Stable across the retries of one delivery: providers that take an idempotency key get it. */
  delivery_id: string;
  /** 1 for the first try. */
  attempt: number;
  /** Recipients a previous attempt of this delivery already reached (sms): not sent to again. */
  already_delivered?: readonly string[];
  /** Cancels the attempt (server shutdown); the channel's own deadline applies anyway. */
  signal?: AbortSignal;
}

export interface NotificationChannel {
  readonly type: ChannelType;
  /** Never throws: every failure is a DeliveryResult. */
  send(message: Notification, ctx: SendContext): Promise<DeliveryResult>;
  /** Releases pooled connections (SMTP); safe to call twice. */
  close(): Promise<void>;
}

// Config shapes, as CHANNEL_CONFIG_SCHEMAS in contracts validates them.
export interface ChannelConfigs {
  discord: { webhook_url: string };
  slack: { webhook_url: string; channel?: string };
  teams: { webhook_url: string };
  webhook: { url: string; secret?: string; headers?: Record<string, string> };
  email: { to: string[]; from?: string; smtp_url?: string };
  sms: { api_url: string; api_key: string; to: string[]; from: string };
  pagerduty: { routing_key: string; events_url?: string };
  opsgenie: { api_key: string; api_url?: string; responders?: string[] };
  telegram: { bot_token: string; chat_id: number | string; api_url?: string };
  grafana: { url: string; api_key: string; dashboard_uid?: string };
  datadog: { api_key: string; site?: string; api_url?: string };
  prometheus: { alertmanager_url: string; basic_auth?: { username: string; password: string } };
}

/** create(config, deps): no I/O; the config is already validated. */
export type ChannelFactory<T extends ChannelType> = (config: ChannelConfigs[T], deps: ChannelDeps) => NotificationChannel;
