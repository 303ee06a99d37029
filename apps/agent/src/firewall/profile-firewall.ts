// A firewall profile on the node: one implementation per suite behind one interface, chosen per
// node (agent config `profile_suite`, or detected). Each applies a rendered profile as a whole
// in its own table/chain/zone, remembers what was there before, puts it back when the apply
// fails, and rolls back on request. The management path and the allowlist are rendered first
// (@breakwater/firewall-profiles render.ts), so a profile never cuts the agent off.
import type { FirewallSuite } from '@breakwater/contracts';
import type { RenderedProfile } from '@breakwater/firewall-profiles';

export interface ProfileFirewall {
  readonly suite: FirewallSuite;
  /** Applies the profile as one change; on failure the previous state is back and the error says why. */
  apply(profile: RenderedProfile): Promise<void>;
  /** Back to the state before the last apply (the profile before, or none); no-op when there is nothing to undo. */
  rollback(): Promise<void>;
  /** What the firewall holds for the profile now (status, tests). */
  listing(): Promise<string>;
}

/** What a profile firewall remembers across an apply: opaque to everyone else. */
export interface SavedState {
  suite: FirewallSuite;
  state: unknown;
}
