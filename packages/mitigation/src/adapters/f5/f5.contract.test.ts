// The shared MitigationAdapter contract, against the local iControl REST.
import { createF5Adapter } from './index.ts';
import { describeAdapterContract } from '../../testing/contract.ts';
import { startF5Fake } from '../../testing/fakes/f5.ts';
import type { AdapterConfig } from '../../adapter.ts';

describeAdapterContract({
  name: 'f5',
  capabilities: ['blackhole'],
  settleMs: 2000,
  async start() {
    const f5 = await startF5Fake();
    const base: AdapterConfig = { endpoint: f5.url, authToken: f5.password, options: { username: f5.username } };
    const deps = { now: Date.now, fetch, timeoutMs: 1000, reach: ['loopback'] as const };
    const adapter = createF5Adapter(base, deps);
    await adapter.start();
    return {
      adapter,
      observe: async () => f5.observe(),
      makeAdapter: (over) => createF5Adapter({ ...base, ...over }, deps),
      deadEndpoint: 'http://127.0.0.1:9',
      badOptions: [{ options: {}, key: 'options.username' }, { options: { username: 'u', auth: 'x' }, key: 'options.auth' }],
      killSpeaker: () => f5.kill(),
      restartSpeaker: () => f5.restart(),
      async stop() {
        await adapter.stop();
        if (f5.problems.length) throw new Error(`the fake BIG-IP refused requests: ${f5.problems.join('; ')}`);
        await f5.stop();
      },
    };
  },
});
