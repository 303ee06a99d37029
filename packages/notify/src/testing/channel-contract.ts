import type { ChannelType } from '@breakwater/contracts';
import type { ChannelConfigs } from '../channel.ts';
import type { Notification } from '../notification.ts';
import type { FakeRequest, FakeServer } from '@breakwater/outbound/testing';

/** What the shared suite needs to run one channel type against its fake provider. */
export interface ChannelContract<T extends ChannelType, R = FakeRequest> {
  type: T;
  /** A local server that checks requests as the provider documents them and answers like it. */
  start(): Promise<FakeServer<R>>;
  /** A valid config pointing the channel at host ("127.0.0.1:port"). */
  config(host: string): ChannelConfigs[T];
  /** Strings that must never appear in a result's message or excerpt. */
  secrets(config: ChannelConfigs[T]): string[];
  /** Requests one event makes (sms: one per recipient). Default 1. */
  requestsPerEvent?: number;
  /** The provider's success status (PagerDuty and Opsgenie 202, Slack 200…); SMTP 250. */
  successStatus: number;
  /** Status the fake answers in each failure mode (HTTP 500/429/400/401 unless the provider differs). */
  failureStatus?: Partial<Record<'server_error' | 'rate_limited' | 'bad_request' | 'unauthorized', number>>;
  /** retry_after_ms a rate-limited reply must yield (null: the provider gives none). */
  retryAfterMs: number | null;
  /** Checks beyond the provider's own: what an opened incident must say. Throws on failure. */
  assertOpened(req: R, n: Notification): void;
  /** What a resolve must do: close what the open created (same dedup key, alias, labels…). */
  assertResolved(req: R, opened: R, n: Notification): void;
}
