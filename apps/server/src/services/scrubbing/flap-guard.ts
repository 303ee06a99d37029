// The flap guard: a diversion is never withdrawn before the provider can have put it in place
// (its documented time to advertise), and the same target is never announced again while the
// provider is still taking it down or within the hold-down after it ended. Pure: times in, verdicts out.
import type { ScrubbingCapabilities } from '@breakwater/contracts';
import type { DiversionRow } from '@breakwater/db';

/** When a diversion asked for at `requestedAt` may first be withdrawn. */
export function earliestWithdrawAt(requestedAt: number, caps: Pick<ScrubbingCapabilities, 'advertise_seconds'> | null): number {
  return requestedAt + (caps?.advertise_seconds ?? 0) * 1000;
}

/** Why a withdraw now must wait, and until when; null when it may go. */
export function withdrawWait(d: Pick<DiversionRow, 'earliest_withdraw_at'>, now: number): number | null {
  return d.earliest_withdraw_at !== null && now < d.earliest_withdraw_at ? d.earliest_withdraw_at : null;
}

/**
 * Whether announcing `target` again now would flap it: the last diversion of it is still being
 * withdrawn, or ended less than `holdDownSeconds` ago. Returns the refusal's words, or null.
 */
export function reannounceRefusal(last: Pick<DiversionRow, 'state' | 'ended_at' | 'target'> | undefined, now: number, holdDownSeconds: number): string | null {
  if (!last) return null;
  if (last.state === 'withdrawing') return `flap guard: ${last.target} is still being withdrawn at the provider; announce it again once that is done and the hold-down (${holdDownSeconds} s) has passed`;
  if (last.ended_at !== null && now < last.ended_at + holdDownSeconds * 1000) {
    const left = Math.ceil((last.ended_at + holdDownSeconds * 1000 - now) / 1000);
    return `flap guard: ${last.target} was withdrawn ${Math.round((now - last.ended_at) / 1000)} s ago; it may be announced again after the hold-down of ${holdDownSeconds} s (${left} s from now)`;
  }
  return null;
}
