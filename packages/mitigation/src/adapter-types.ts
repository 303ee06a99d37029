// Each adapter type as an operator sets it up: what its endpoint is, whether it takes auth_token,
// what it can carry and its config schema (the very schema its options are checked with). The
// dashboard draws the adapter form from this, through GET /api/v1/mitigation/adapter-types.
import { ADAPTER_TYPES, type AdapterType, type AdapterTypeInfo, type AuthTokenUse } from '@breakwater/contracts';
import type { TSchema } from 'typebox';
import { Bird2Options } from './adapters/bird2/index.ts';
import { CloudflareOptions } from './adapters/cloudflare/cloudflare.ts';
import { DEFAULT_ENDPOINT as CLOUDFLARE_API } from './adapters/cloudflare/cloudflare-api.ts';
import { ExabgpOptions } from './adapters/exabgp/index.ts';
import { F5Options } from './adapters/f5/f5.ts';
import { FrrOptions } from './adapters/frr/index.ts';
import { GobgpOptions } from './adapters/gobgp/index.ts';
import { RadwareOptions } from './adapters/radware/radware.ts';
import { WebhookOptions } from './adapters/webhook/webhook.ts';
import { ADAPTER_FACTORIES } from './registry.ts';

interface TypeSetup {
  config: TSchema;
  endpoint: string;
  endpointExample: string;
  authToken: AuthTokenUse;
  authTokenDescription: string;
}

const NO_TOKEN = 'not used: the speaker is reached through a local socket or loopback';

const SETUP: Record<AdapterType, TypeSetup> = {
  gobgp: { config: GobgpOptions, endpoint: 'gobgpd\'s gRPC API as given to gobgpd --api-hosts: "host:port" or "unix:///path/to/gobgpd.sock"', endpointExample: '127.0.0.1:50051', authToken: 'unused', authTokenDescription: NO_TOKEN },
  exabgp: { config: ExabgpOptions, endpoint: 'the Breakwater ExaBGP bridge: its unix socket path or "tcp:127.0.0.1:PORT"', endpointExample: '/run/breakwater/exabgp.sock', authToken: 'unused', authTokenDescription: NO_TOKEN },
  bird2: { config: Bird2Options, endpoint: 'BIRD\'s control socket (bird -s)', endpointExample: '/run/bird/bird.ctl', authToken: 'unused', authTokenDescription: NO_TOKEN },
  frr: { config: FrrOptions, endpoint: 'the directory holding bgpd\'s vty socket (bgpd --vty_socket)', endpointExample: '/run/frr', authToken: 'unused', authTokenDescription: NO_TOKEN },
  cloudflare: { config: CloudflareOptions, endpoint: `the Cloudflare API base URL (empty: ${CLOUDFLARE_API})`, endpointExample: CLOUDFLARE_API, authToken: 'required', authTokenDescription: 'a Cloudflare API token with Magic Firewall Write and IP Prefixes: BGP On Demand Write' },
  webhook: { config: WebhookOptions, endpoint: 'the URL the receiver listens on', endpointExample: 'https://hooks.example.net/breakwater', authToken: 'required', authTokenDescription: 'the shared secret the receiver checks the HMAC-SHA256 signature with' },
  radware: { config: RadwareOptions, endpoint: 'the APSolute Vision / Cyber Controller URL', endpointExample: 'https://vision.example.net', authToken: 'required', authTokenDescription: 'the password of config.username' },
  f5: { config: F5Options, endpoint: 'the BIG-IP management URL', endpointExample: 'https://bigip.example.net:443', authToken: 'required', authTokenDescription: 'the password of config.username' },
};

/** What the implementation carries, asked of an instance (building one does no I/O). */
function capabilitiesOf(type: AdapterType): AdapterTypeInfo['capabilities'] {
  const probe = ADAPTER_FACTORIES[type]({ endpoint: '', authToken: null, options: {} }, { now: () => 0, timeoutMs: 1 });
  return [...probe.capabilities];
}

export function adapterTypes(): AdapterTypeInfo[] {
  return ADAPTER_TYPES.map((type) => {
    const s = SETUP[type];
    return {
      adapter_type: type, capabilities: capabilitiesOf(type), endpoint: s.endpoint, endpoint_example: s.endpointExample,
      auth_token: s.authToken, auth_token_description: s.authTokenDescription, config: s.config,
    };
  });
}
