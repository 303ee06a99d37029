// Messages an agent sent for one transfer, waited for one at a time with a deadline.
import type { FleetAgentMessage } from '@breakwater/contracts';
import { AppError } from '../../errors.ts';

export class Inbox {
  readonly #queue: FleetAgentMessage[] = [];
  #waiter: { resolve: (m: FleetAgentMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  #failed: Error | null = null;

  push(msg: FleetAgentMessage): void {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      clearTimeout(w.timer);
      w.resolve(msg);
    } else this.#queue.push(msg);
  }

  /** Takes whatever is queued now. */
  drain(): FleetAgentMessage[] {
    return this.#queue.splice(0);
  }

  /** Everything waiting (and every later wait) fails with this error. */
  fail(err: Error): void {
    this.#failed ??= err;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  next(timeoutMs: number, what: string): Promise<FleetAgentMessage> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new AppError(504, 'agent_timeout', `The agent did not answer within ${Math.round(timeoutMs / 1000)} s (${what})`));
      }, timeoutMs);
      this.#waiter = { resolve, reject, timer };
    });
  }
}
