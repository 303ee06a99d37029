// Every scrubbing type the API accepts, mapped to its provider: a type added to SCRUBBING_TYPES
// fails to compile until it is wired here.
import type { ScrubbingType } from '@breakwater/contracts';
import type { ScrubbingFactory } from './provider.ts';
import { createCloudflareMagicTransitProvider } from './cloudflare-magic-transit/index.ts';
import { createCloudflareWafProvider } from './cloudflare-waf/index.ts';
import { createOvhMitigationProvider } from './ovh-mitigation/index.ts';
import { createHetznerMitigationProvider } from './hetzner-mitigation/index.ts';
import { createLinodeProvider } from './linode/index.ts';
import { createAwsShieldProvider } from './aws-shield/index.ts';
import { createVultrProvider } from './vultr/index.ts';
import { createDigitaloceanProvider } from './digitalocean/index.ts';

export const SCRUBBING_FACTORIES: Record<ScrubbingType, ScrubbingFactory> = {
  cloudflare_magic_transit: createCloudflareMagicTransitProvider,
  ovh_mitigation: createOvhMitigationProvider,
  hetzner_mitigation: createHetznerMitigationProvider,
  cloudflare_waf: createCloudflareWafProvider,
  digitalocean: createDigitaloceanProvider,
  vultr: createVultrProvider,
  aws_shield: createAwsShieldProvider,
  linode: createLinodeProvider,
};

/** The provider for a stored integration: its config checked (ScrubbingError kind config naming the key). */
export function createScrubbingProvider(type: ScrubbingType, config: unknown, deps: Parameters<ScrubbingFactory>[1]) {
  return SCRUBBING_FACTORIES[type](config, deps);
}
