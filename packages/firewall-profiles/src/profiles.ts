// The profile data (profiles.json: reviewed rule sets, one per kind of server and suite) with
// its types. The JSON is the source of truth; nothing here is per profile.
import type { FirewallSuite, ProfileId, ProfileInfo, ProfileRule } from '@breakwater/contracts';
import { PROFILE_IDS } from '@breakwater/contracts/plain';
import data from './profiles.json' with { type: 'json' };

export type { ProfileInfo, ProfileRule };

const byId = new Map<string, ProfileInfo>((data as ProfileInfo[]).map((p) => [p.id, p]));

/** Every profile, in the order of PROFILE_IDS (a missing one fails at load, not at apply). */
export const PROFILES: readonly ProfileInfo[] = PROFILE_IDS.map((id) => {
  const p = byId.get(id);
  if (!p) throw new Error(`profiles.json has no profile ${id}`);
  return p;
});

export function getProfile(id: ProfileId): ProfileInfo {
  return byId.get(id)!;
}

export function profileRules(id: ProfileId, suite: FirewallSuite): ProfileRule[] {
  return getProfile(id).rules[suite];
}
