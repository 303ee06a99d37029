// The durable outbox: every message is a row; a worker claims due rows, sends them, and
// records each attempt. Failures are retried with exponential backoff (or when the
// provider says), up to a limit; channels are sent to one message at a time and no
// faster than their rate limit, so a slow provider holds back only its own queue.
// A send interrupted by a crash is retried when its lease expires (providers that take
// an idempotency key — PagerDuty dedup_key, Opsgenie alias, our webhook's delivery id —
// see it as the same message).
import { channels, deliveries, fromJson, type ChannelRow, type Db, type DeliveryRow } from '@breakwater/db';
import type { DeliveryResult, Notification, SendContext } from '@breakwater/notify';
import { retryDelayMs } from '@breakwater/outbound';
import type { Clock } from '../../clock.ts';
import { FencedOut } from '../../cluster/lease-turn.ts';

export interface OutboxOptions {
  pollMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Least time between two sends to one channel. */
  perChannelIntervalMs: number;
  /** Channels sent to at the same time. */
  concurrency: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = {
  pollMs: 500, leaseMs: 60_000, maxAttempts: 12, backoffBaseMs: 2_000, backoffMaxMs: 30 * 60_000, perChannelIntervalMs: 250, concurrency: 16,
};

export type Deliver = (channel: ChannelRow, message: Notification, ctx: SendContext) => Promise<DeliveryResult>;

export interface OutboxDeps {
  db: Db;
  clock: Clock;
  deliver: Deliver;
  options: OutboxOptions;
  onError: (err: unknown) => void;
  random?: () => number;
}

/** The outbound retry policy with this outbox's base and cap (doubling, ±20 % jitter). */
export function backoffMs(attempt: number, o: OutboxOptions, random: () => number): number {
  return retryDelayMs(attempt, { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs }, random);
}

export class Outbox {
  readonly #d: OutboxDeps;
  readonly #busy = new Set<string>();
  readonly #lastSend = new Map<string, number>();
  readonly #running = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #ticking = false;
  #again = false;

  constructor(deps: OutboxDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#running]);
  }

  /** Look for due messages now (after an enqueue) rather than at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), 0);
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    this.#ticking = true;
    let nextWake = this.#d.options.pollMs;
    try {
      const now = this.#d.clock.now();
      const due = await deliveries.dueDeliveries(this.#d.db, now, 200);
      for (const d of due) {
        if (this.#busy.size >= this.#d.options.concurrency) break;
        if (this.#busy.has(d.channel_id)) continue;
        const wait = (this.#lastSend.get(d.channel_id) ?? -Infinity) + this.#d.options.perChannelIntervalMs - now;
        if (wait > 0) {
          nextWake = Math.min(nextWake, wait);
          continue;
        }
        if (!(await deliveries.claimDelivery(this.#d.db, d, now, this.#d.options.leaseMs))) continue;
        this.#busy.add(d.channel_id);
        this.#lastSend.set(d.channel_id, now);
        const p = this.#send(d).finally(() => {
          this.#busy.delete(d.channel_id);
          this.#running.delete(p);
          this.wake();
        });
        this.#running.add(p);
      }
    } catch (err) {
      this.#d.onError(err);
    } finally {
      this.#ticking = false;
      if (!this.#stopped) {
        if (this.#again) {
          this.#again = false;
          this.wake();
        } else {
          this.#timer = setTimeout(() => void this.#tick(), Math.max(1, nextWake));
        }
      }
    }
  }

  async #send(d: DeliveryRow): Promise<void> {
    const { db, clock, options } = this.#d;
    const attempt = d.attempts + 1;
    const started = clock.now();
    let result: DeliveryResult;
    const reached = fromJson<string[]>(d.delivered_to, []);
    const channel = await channels.getChannelById(db, d.channel_id);
    if (!channel) {
      result = { outcome: 'permanent', reason: 'bad_config', status: null, retry_after_ms: null, message: 'the channel was deleted', excerpt: '', provider_ref: null, duration_ms: 0 };
    } else {
      try {
        result = await this.#d.deliver(channel, JSON.parse(d.payload) as Notification, { delivery_id: String(d.id), attempt, already_delivered: reached });
      } catch (err) {
        // Channels never throw by contract; if one does, it is our bug: retry, and say so.
        result = { outcome: 'retryable', reason: 'network', status: null, retry_after_ms: null, message: `channel error: ${(err as Error).message}`, excerpt: '', provider_ref: null, duration_ms: clock.now() - started };
      }
    }
    const now = clock.now();
    const giveUp = result.outcome === 'permanent' || (result.outcome === 'retryable' && attempt >= options.maxAttempts);
    const status = result.outcome === 'delivered' ? 'delivered' : giveUp ? 'failed' : 'pending';
    const delay = Math.max(backoffMs(attempt, options, this.#d.random ?? Math.random), result.retry_after_ms ?? 0);
    try {
      const kept = await deliveries.finishDelivery(db, d.id, {
        status,
        next_attempt_at: status === 'pending' ? now + delay : now,
        last_status_code: result.status,
        last_error: result.outcome === 'delivered' ? null : `${result.reason ?? 'error'}: ${result.message}`.slice(0, 1000),
        delivered_at: result.outcome === 'delivered' ? now : null,
        updated_at: now,
        delivered_to: JSON.stringify([...new Set([...reached, ...(result.delivered_to ?? [])])]),
      }, {
        attempt, started_at: started, duration_ms: Math.round(result.duration_ms), outcome: result.outcome === 'retryable' ? 'retry' : result.outcome,
        status_code: result.status, detail: (result.excerpt || result.message).slice(0, 500),
      });
      // Claimed again while this send ran past its claim: the attempt is on record, the state is the new claimer's.
      if (!kept) this.#d.onError(new FencedOut(`delivery ${d.id} (attempt ${attempt})`));
    } catch (err) {
      this.#d.onError(err);
    }
  }
}
