// The shared MitigationAdapter contract, against the local APSolute Vision.
import { createRadwareAdapter } from './index.ts';
import { describeAdapterContract } from '../../testing/contract.ts';
import { startRadwareFake } from '../../testing/fakes/radware.ts';
import type { AdapterConfig } from '../../adapter.ts';

describeAdapterContract({
  name: 'radware',
  capabilities: ['blackhole'],
  settleMs: 2000,
  async start() {
    const rw = await startRadwareFake();
    const base: AdapterConfig = { endpoint: rw.url, authToken: rw.password, options: { username: rw.username, device_ip: rw.deviceIp } };
    const deps = { now: Date.now, fetch, timeoutMs: 1000, reach: ['loopback'] as const };
    const adapter = createRadwareAdapter(base, deps);
    await adapter.start();
    return {
      adapter,
      observe: async () => rw.observe(),
      makeAdapter: (over) => createRadwareAdapter({ ...base, ...over }, deps),
      deadEndpoint: 'http://127.0.0.1:9',
      badOptions: [{ options: { device_ip: rw.deviceIp }, key: 'options.username' }, { options: { username: 'u' }, key: 'options.device_ip' }],
      killSpeaker: () => rw.kill(),
      restartSpeaker: () => rw.restart(),
      async stop() {
        await adapter.stop();
        if (rw.problems.length) throw new Error(`the fake Vision refused requests: ${rw.problems.join('; ')}`);
        await rw.stop();
      },
    };
  },
});
