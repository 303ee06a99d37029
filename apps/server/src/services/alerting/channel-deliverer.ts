// Turns a stored channel into a live NotificationChannel (kept while its config is
// unchanged: SMTP pools connections) and sends through it.
import type { OutboundReach } from '@breakwater/contracts';
import type { ChannelRow } from '@breakwater/db';
import { ChannelConfigError, createChannel, type ChannelDeps, type DeliveryResult, type NotificationChannel } from '@breakwater/notify';
import type { Deliver } from './outbox.ts';

export class ChannelDeliverer {
  readonly #deps: ChannelDeps;
  readonly #reachOf: (type: string) => readonly OutboundReach[];
  readonly #live = new Map<string, { version: number; channel: NotificationChannel }>();

  /** `reachOf`: the non-public ranges the operator's config lets channels of a type call (none by default). */
  constructor(deps: ChannelDeps, reachOf: (type: string) => readonly OutboundReach[] = () => []) {
    this.#deps = deps;
    this.#reachOf = reachOf;
  }

  readonly deliver: Deliver = async (row, message, ctx): Promise<DeliveryResult> => {
    let channel: NotificationChannel;
    try {
      channel = await this.#channel(row);
    } catch (err) {
      if (!(err instanceof ChannelConfigError)) throw err;
      return { outcome: 'permanent', reason: 'bad_config', status: null, retry_after_ms: null, message: err.message, excerpt: '', provider_ref: null, duration_ms: 0 };
    }
    return channel.send(message, ctx);
  };

  async #channel(row: ChannelRow): Promise<NotificationChannel> {
    const cur = this.#live.get(row.id);
    if (cur && cur.version === row.updated_at) return cur.channel;
    if (cur) await cur.channel.close();
    const channel = createChannel(row.type, JSON.parse(row.config) as unknown, { ...this.#deps, reach: this.#reachOf(row.type) });
    this.#live.set(row.id, { version: row.updated_at, channel });
    return channel;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((l) => l.channel.close()));
    this.#live.clear();
  }
}
