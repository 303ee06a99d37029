// The outbound policy applied to an adapter's endpoint when it is saved: an http(s) endpoint (the
// HTTP vendors, the webhook) out of reach is a 400 naming the key. gobgp's host:port is checked
// when the adapter starts (the route starts one to validate it), socket paths by confinement.
import type { OutboundReach } from '@breakwater/contracts';
import { checkUrl, type Resolver } from '@breakwater/outbound';

export async function checkAdapterReach(endpoint: string, reach: readonly OutboundReach[], resolve?: Resolver): Promise<string | null> {
  if (!/^https?:\/\//i.test(endpoint.trim())) return null;
  const problem = await checkUrl(endpoint.trim(), reach, resolve);
  return problem ? `endpoint: ${/^(is|must)/.test(problem) ? problem : `refused: ${problem}`}` : null;
}
