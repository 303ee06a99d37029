// Every adapter type the API accepts, mapped to its implementation: a type added to
// ADAPTER_TYPES fails to compile until it is wired here.
import type { AdapterType } from '@breakwater/contracts';
import { AdapterError, type AdapterFactory, type MitigationAdapter } from './adapter.ts';
import { createCloudflareAdapter } from './adapters/cloudflare/index.ts';
import { createF5Adapter } from './adapters/f5/index.ts';
import { createGobgpAdapter } from './adapters/gobgp/index.ts';
import { createRadwareAdapter } from './adapters/radware/index.ts';
import { createWebhookAdapter } from './adapters/webhook/index.ts';

/** Until an implementation lands: refuses every operation with a message that says so. */
function unavailable(type: AdapterType): AdapterFactory {
  return () => {
    const no = () => Promise.reject(new AdapterError(`the ${type} adapter is not available in this build`, false));
    const a: MitigationAdapter = {
      type, capabilities: [], start: no, announce: no, withdraw: no, present: no, stop: () => Promise.resolve(),
      test: () => Promise.resolve({ ok: false, latency_ms: 0, message: `the ${type} adapter is not available in this build` }),
    };
    return a;
  };
}

export const ADAPTER_FACTORIES: Record<AdapterType, AdapterFactory> = {
  cloudflare: createCloudflareAdapter,
  webhook: createWebhookAdapter,
  gobgp: createGobgpAdapter,
  exabgp: unavailable('exabgp'),
  bird2: unavailable('bird2'),
  frr: unavailable('frr'),
  radware: createRadwareAdapter,
  f5: createF5Adapter,
};
