// Starts a real server on loopback over a real database (SQLite or PostgreSQL) and
// talks to it over HTTP, as agents and tools do.
import { randomUUID } from 'node:crypto';
import { workspaces } from '@breakwater/db';
import type { TestBackend } from '@breakwater/testing';
import { createServer, createToken, resolveConfig, type RunningServer, type ServerConfig } from '../src/index.ts';
import type { ServerDeps } from '../src/server.ts';

export interface Creds {
  workspaceId: string;
  apiToken: string;
  deployToken: string;
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A clock the test can move forward. */
export class TestClock {
  offset = 0;
  now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

export interface TestServer {
  url: string;
  server: RunningServer;
  clock: TestClock;
  admin: Creds & { email: string; password: string };
  dataDir: string;
  request<T = any>(method: string, path: string, opts?: { token?: string | null; body?: unknown; raw?: RequestInit["body"]; headers?: Record<string, string> }): Promise<Reply<T>>;
  addWorkspace(opts?: { nodeQuota?: number; rateLimit?: number }): Promise<Creds>;
  deploy(creds: Creds, name?: string, ip?: string): Promise<{ uuid: string; key: string }>;
  agent<T = any>(node: { uuid: string; key: string }, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  login(email: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestServer(backend: TestBackend, overrides: Partial<ServerConfig> = {}, deps: Omit<ServerDeps, 'clock'> = {}): Promise<TestServer> {
  const env = await backend.setup();
  const clock = new TestClock();
  const config = resolveConfig({ port: 0, host: '127.0.0.1', dataDir: env.dataDir, databaseUrl: env.databaseUrl, logLevel: 'silent', ...overrides });
  const server = await createServer(config, { ...deps, clock }).start({ bootstrapIfEmpty: true });
  const b = server.bootstrapped!;
  const url = server.url;

  async function request<T>(method: string, path: string, opts: { token?: string | null; body?: unknown; raw?: RequestInit["body"]; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? b.api_token : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: RequestInit["body"] = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (docs page, downloads)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  return {
    url, server, clock, dataDir: env.dataDir,
    admin: { workspaceId: b.workspace_id, apiToken: b.api_token, deployToken: b.deploy_token, email: b.admin_email, password: b.admin_password },
    request,
    async addWorkspace(opts = {}) {
      const id = randomUUID();
      await workspaces.insertWorkspace(server.ctx.db, {
        id, name: `ws-${id.slice(0, 8)}`, plan: 'self-hosted', node_quota: opts.nodeQuota ?? 100, rate_limit_per_min: opts.rateLimit ?? 1000, settings: '{}', created_at: clock.now(),
      });
      const api = await createToken(server.ctx.db, clock, id, 'api', 'test api', 'admin', null);
      const dep = await createToken(server.ctx.db, clock, id, 'deploy', 'test deploy', 'operator', null);
      return { workspaceId: id, apiToken: api.secret, deployToken: dep.secret };
    },
    async deploy(creds, name = `node-${randomUUID().slice(0, 8)}`, ip = '203.0.113.10') {
      const r = await request<any>('POST', '/api/deploy', { token: creds.deployToken, body: { name, ip } });
      if (r.status !== 200) throw new Error(`deploy failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { uuid: r.body.node_uuid as string, key: r.body.api_key as string };
    },
    agent(node, method, path, body, headers = {}) {
      return request(method, `/api/v1/agent${path}`, { token: node.key, body, headers: { 'x-node-uuid': node.uuid, 'user-agent': 'ftagent/2.1.0', ...headers } });
    },
    async login(email, password) {
      const r = await request<any>('POST', '/api/dash/login', { token: null, body: { email, password } });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      const cookie = r.headers.get('set-cookie') ?? '';
      return cookie.split(';')[0]!;
    },
    async stop() {
      await server.stop();
      await env.cleanup();
    },
  };
}

/** Asserts the error envelope and returns its code. */
export function errorCode(r: Reply): string {
  const b = r.body as { ok?: boolean; error?: { code?: string; message?: string } };
  if (b?.ok !== false || typeof b.error?.code !== 'string' || typeof b.error?.message !== 'string' || b.error.message.length === 0) {
    throw new Error(`not an error envelope: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return b.error.code;
}
