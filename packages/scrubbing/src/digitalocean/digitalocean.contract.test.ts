// The shared scrubbing contract, against the local DigitalOcean API.
import { describeScrubbingContract } from '../testing/contract.ts';
import { manualClock } from '../testing/fake-server.ts';
import { hasRule, broadRule } from './api.ts';
import { createDigitaloceanProvider } from './index.ts';
import { doRateLimited, startDigitaloceanFake } from './testing/fake.ts';

describeScrubbingContract({
  type: 'digitalocean',
  async start() {
    const fake = await startDigitaloceanFake({
      clock: manualClock(),
      inbound: [{ protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0', '::/0'] } }, { protocol: 'tcp', ports: '22', sources: { addresses: ['198.51.100.0/24'] } }],
    });
    const config = () => ({
      api_token: fake.token, firewall_id: fake.firewallId, addresses: ['203.0.113.0/28'], public_rules: [{ protocol: 'tcp', ports: '443' }], allowed_sources: ['192.0.2.0/24'], api_url: `${fake.url}/v2`,
    });
    return {
      fake,
      factory: createDigitaloceanProvider,
      config,
      target: fake.firewallId,
      covered: '203.0.113.5',
      uncovered: '203.0.113.100',
      unknownTarget: 'bb4b2611-3d72-467b-8602-280330ecd65c',
      badCredentials: { api_token: `dop_v1_${'0'.repeat(64)}` },
      badConfig: [
        { config: { firewall_id: 'not-a-uuid' }, key: 'config.firewall_id' },
        { config: { public_rules: [] }, key: 'config.public_rules' },
        { config: { api_token: '' }, key: 'config.api_token' },
        { config: { api_url: 'ftp://x' }, key: 'config.api_url' },
        { config: { unknown_key: 1 }, key: 'config.unknown_key' },
      ],
      secrets: [fake.token],
      diverted: () => !hasRule(fake.firewall, broadRule({ protocol: 'tcp', ports: '443' })),
      rateLimited: doRateLimited,
      rateLimitSaysWhen: true,
      stop: () => fake.stop(),
    };
  },
});
