// The agent config a freshly enrolled host gets from the server (SSH deploy or install ticket):
// the same keys `breakwater agent enroll` writes, the rest left to the agent's defaults.

export interface NewAgentConfig {
  server_url: string;
  node_uuid: string;
  api_key: string;
  interface: string;
  ip?: string;
  allow_insecure_http?: true;
  /** The workspace's command-signing key, pinned at enrolment (as `breakwater agent enroll` does from the deploy reply). */
  command_public_key?: string;
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h.startsWith('127.') || h === '::1';
}

export function agentConfigFor(o: { serverUrl: string; nodeUuid: string; apiKey: string; iface: string; ip?: string | undefined; commandPublicKey?: string | undefined }): NewAgentConfig {
  const u = new URL(o.serverUrl);
  return {
    server_url: o.serverUrl, node_uuid: o.nodeUuid, api_key: o.apiKey, interface: o.iface,
    ...(o.ip ? { ip: o.ip } : {}),
    ...(o.commandPublicKey ? { command_public_key: o.commandPublicKey } : {}),
    // The operator chose to serve plain http to other machines (no public https URL): the
    // agent would refuse it otherwise, as `enroll --allow-insecure-http` says.
    ...(u.protocol === 'http:' && !isLoopbackHost(u.hostname) ? { allow_insecure_http: true as const } : {}),
  };
}

export const agentConfigText = (c: NewAgentConfig) => JSON.stringify(c, null, 2) + '\n';
