// Every adapter type the API accepts, mapped to its implementation: a type added to
// ADAPTER_TYPES fails to compile until it is wired here.
import type { AdapterType } from '@breakwater/contracts';
import type { AdapterFactory } from './adapter.ts';
import { createBird2Adapter } from './adapters/bird2/index.ts';
import { createCloudflareAdapter } from './adapters/cloudflare/index.ts';
import { createExabgpAdapter } from './adapters/exabgp/index.ts';
import { createF5Adapter } from './adapters/f5/index.ts';
import { createFrrAdapter } from './adapters/frr/index.ts';
import { createGobgpAdapter } from './adapters/gobgp/index.ts';
import { createRadwareAdapter } from './adapters/radware/index.ts';
import { createWebhookAdapter } from './adapters/webhook/index.ts';

export const ADAPTER_FACTORIES: Record<AdapterType, AdapterFactory> = {
  cloudflare: createCloudflareAdapter,
  webhook: createWebhookAdapter,
  gobgp: createGobgpAdapter,
  exabgp: createExabgpAdapter,
  bird2: createBird2Adapter,
  frr: createFrrAdapter,
  radware: createRadwareAdapter,
  f5: createF5Adapter,
};
