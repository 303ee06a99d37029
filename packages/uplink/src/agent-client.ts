// The agent's side of the agent API. Every call says whether a failure is worth retrying:
// the sender keeps retryable work in the spool and drops what the server refused as invalid.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

/** What identifies a node to the agent API (the agent's and the collector's config both carry it). */
export interface NodeCredentials {
  server_url: string;
  node_uuid: string;
  api_key: string;
}

export type CallResult<T> = { ok: true; body: T } | { ok: false; retryable: boolean; status: number | null; message: string };

export interface AgentClientDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  version: string;
  now?: () => number;
}

export class AgentClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #d: AgentClientDeps;
  #lastContact: number;

  constructor(config: NodeCredentials, deps: AgentClientDeps) {
    this.#base = `${config.server_url.replace(/\/+$/, '')}/api/v1/agent`;
    this.#headers = {
      authorization: `Bearer ${config.api_key}`,
      'x-node-uuid': config.node_uuid,
      'content-type': 'application/json',
      'user-agent': `breakwater-agent/${deps.version}`,
    };
    this.#d = deps;
    this.#lastContact = this.#now();
  }

  #now(): number {
    return (this.#d.now ?? Date.now)();
  }

  /** When the server last answered (any reply of its own: 2xx-4xx) or pushed something. */
  get lastContact(): number {
    return this.#lastContact;
  }

  noteContact(): void {
    this.#lastContact = this.#now();
  }

  #answered(status: number): void {
    // 5xx may be a proxy in front of a server that is gone: not contact.
    if (status < 500) this.noteContact();
  }

  /** Uploads an incident's capture as multipart (field "pcap"), streamed from disk. */
  async upload(incidentUuid: string, path: string): Promise<CallResult<Record<string, unknown>>> {
    try {
      const form = new FormData();
      form.append('pcap', await openAsBlob(path, { type: 'application/vnd.tcpdump.pcap' }), basename(path));
      const { 'content-type': _json, ...headers } = this.#headers;
      const res = await this.#d.fetch(`${this.#base}/incidents/${incidentUuid}/pcap`, {
        method: 'POST', headers, body: form, signal: AbortSignal.timeout(Math.max(this.#d.timeoutMs, 120_000)),
      });
      const text = await res.text();
      this.#answered(res.status);
      if (res.ok) return { ok: true, body: JSON.parse(text) as Record<string, unknown> };
      return { ok: false, retryable: res.status === 408 || res.status === 429 || res.status >= 500, status: res.status, message: text.slice(0, 300) };
    } catch (err) {
      return { ok: false, retryable: (err as NodeJS.ErrnoException).code !== 'ENOENT', status: null, message: (err as Error).message };
    }
  }

  /** `headers` add to the node's own (a collector names the protected host a report is about). */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult<T>> {
    try {
      const res = await this.#d.fetch(`${this.#base}${path}`, {
        method,
        headers: headers ? { ...this.#headers, ...headers } : this.#headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#d.timeoutMs),
      });
      const text = await res.text();
      this.#answered(res.status);
      if (res.ok) return { ok: true, body: (text ? JSON.parse(text) : {}) as T };
      // 408, 429 and 5xx are the server's trouble, not ours: try again later.
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, retryable, status: res.status, message: text.slice(0, 300) };
    } catch (err) {
      return { ok: false, retryable: true, status: null, message: (err as Error).message };
    }
  }
}
