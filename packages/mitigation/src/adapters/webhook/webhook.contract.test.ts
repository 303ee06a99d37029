// The shared MitigationAdapter contract, against a local receiver that verifies every signature.
import { createWebhookAdapter } from './index.ts';
import { describeAdapterContract } from '../../testing/contract.ts';
import { startWebhookFake } from '../../testing/fakes/webhook.ts';
import type { AdapterConfig } from '../../adapter.ts';

describeAdapterContract({
  name: 'webhook',
  capabilities: ['blackhole', 'flowspec', 'scrubbing'],
  settleMs: 2000,
  async start() {
    const hook = await startWebhookFake();
    const base: AdapterConfig = { endpoint: `${hook.url}/hooks/breakwater`, authToken: hook.secret, options: {} };
    const deps = { now: Date.now, fetch, timeoutMs: 1000, reach: ['loopback'] as const };
    const adapter = createWebhookAdapter(base, deps);
    await adapter.start();
    return {
      adapter,
      observe: async () => hook.observe(),
      makeAdapter: (over) => createWebhookAdapter({ ...base, ...over }, deps),
      deadEndpoint: 'http://127.0.0.1:9/hooks/breakwater',
      badOptions: [{ options: { headers: 42 }, key: 'options.headers' }, { options: { url: 'x' }, key: 'options.url' }],
      killSpeaker: () => hook.kill(),
      restartSpeaker: () => hook.restart(),
      async stop() {
        await adapter.stop();
        if (hook.problems.length) throw new Error(`the receiver refused requests: ${hook.problems.join('; ')}`);
        await hook.stop();
      },
    };
  },
});
