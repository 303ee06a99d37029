// The shared MitigationAdapter contract, against the local Cloudflare API.
import { createCloudflareAdapter } from './index.ts';
import { describeAdapterContract } from '../../testing/contract.ts';
import { startCloudflareFake } from '../../testing/fakes/cloudflare.ts';
import type { AdapterConfig } from '../../adapter.ts';

describeAdapterContract({
  name: 'cloudflare',
  capabilities: ['blackhole', 'scrubbing'],
  settleMs: 2000,
  async start() {
    // The contract scrubs 198.18.8.0/24: the account has it onboarded, on demand.
    const cf = await startCloudflareFake({ prefixes: [{ cidr: '198.18.8.0/24' }] });
    const base: AdapterConfig = { endpoint: cf.url, authToken: cf.token, options: { account_id: cf.accountId, ruleset_id: cf.rulesetId } };
    const deps = { now: Date.now, fetch, timeoutMs: 1000, reach: ['loopback'] as const };
    const adapter = createCloudflareAdapter(base, deps);
    await adapter.start();
    return {
      adapter,
      observe: async () => cf.observe(),
      makeAdapter: (over) => createCloudflareAdapter({ ...base, ...over }, deps),
      deadEndpoint: 'http://127.0.0.1:9',
      badOptions: [
        { options: {}, key: 'options.account_id' },
        { options: { account_id: 'x' }, key: 'options.account_id' },
        { options: { account_id: cf.accountId, ruleset_id: 'short' }, key: 'options.ruleset_id' },
      ],
      killSpeaker: () => cf.kill(),
      restartSpeaker: () => cf.restart(),
      async stop() {
        await adapter.stop();
        if (cf.problems.length) throw new Error(`the fake Cloudflare refused requests: ${cf.problems.join('; ')}`);
        await cf.stop();
      },
    };
  },
});
