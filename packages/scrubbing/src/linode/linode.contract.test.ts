// The shared scrubbing contract, against the local Linode API.
import { describeScrubbingContract } from '../testing/contract.ts';
import { manualClock } from '../testing/fake-server.ts';
import { isOurs } from './api.ts';
import { createLinodeProvider } from './index.ts';
import { linodeRateLimited, startLinodeFake } from './testing/fake.ts';

describeScrubbingContract({
  type: 'linode',
  async start() {
    const fake = await startLinodeFake({
      clock: manualClock(),
      inbound: [{ action: 'ACCEPT', protocol: 'TCP', ports: '80, 443', addresses: { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] }, label: 'web' }],
    });
    const config = () => ({
      api_token: fake.token, firewall_id: fake.firewallId, addresses: ['203.0.113.20', '2001:db8:20::/64'], public_rules: [{ protocol: 'TCP', ports: '80, 443' }], allowed_sources: ['192.0.2.0/24'], api_url: `${fake.url}/v4`,
    });
    return {
      fake,
      factory: createLinodeProvider,
      config,
      target: String(fake.firewallId),
      covered: '2001:db8:20::1',
      uncovered: '203.0.113.21',
      unknownTarget: '1',
      badCredentials: { api_token: 'f'.repeat(64) },
      badConfig: [
        { config: { firewall_id: 0 }, key: 'config.firewall_id' },
        { config: { public_rules: [{ protocol: 'SCTP' }] }, key: 'config.public_rules' },
        { config: { public_rules: [{ protocol: 'TCP', ports: '80;443' }] }, key: 'config.public_rules' },
        { config: { api_token: '' }, key: 'config.api_token' },
      ],
      secrets: [fake.token],
      diverted: () => fake.rules.inbound.some(isOurs),
      rateLimited: linodeRateLimited,
      rateLimitSaysWhen: true,
      stop: () => fake.stop(),
    };
  },
});
