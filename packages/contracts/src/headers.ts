// HTTP headers Breakwater adds to the reference API's requests and replies. Plain values (no
// TypeBox): the agent reads them; see plain.ts.

/** The header of POST /api/deploy's reply that carries the workspace's command-signing public key
 * (Ed25519, SPKI DER, base64), pinned by the agent; the body keeps the reference's exact shape. */
export const COMMAND_KEY_HEADER = 'x-breakwater-command-key';

/** Agent API header on a collector's requests: the protected address the report is about. */
export const FLOW_HOST_HEADER = 'x-flow-host';
