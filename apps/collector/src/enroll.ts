// `breakwater collector enroll`: registers the collector with the deploy API (a node, like an
// agent), tells the server the networks it protects, and writes its config (root-only).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { COLLECTOR_DEFAULTS, CollectorConfigError, validateCollectorConfig, writeCollectorConfig, type CollectorConfig } from './collector-config.ts';

export interface CollectorEnrollOptions {
  server: string;
  deployToken: string;
  configPath: string;
  name?: string | undefined;
  networks: string[];
  netflow?: string | undefined;
  sflow?: string | undefined;
  ipfix?: string | undefined;
  /** The address the collector is known by (its node's ip); default: the first NetFlow/sFlow listen address that is not a wildcard, else 127.0.0.1. */
  ip?: string | undefined;
  spoolDir?: string | undefined;
  force?: boolean | undefined;
  allowInsecureHttp?: boolean | undefined;
  fetch?: typeof fetch;
}

export async function enrollCollector(o: CollectorEnrollOptions): Promise<CollectorConfig> {
  if (existsSync(o.configPath) && !o.force) throw new CollectorConfigError(`${o.configPath}: already exists (this collector is enrolled); pass --force to enrol again as a new node`);
  const base = o.server.replace(/\/+$/, '');
  const listen: CollectorConfig['listen'] = {};
  if (o.netflow) listen.netflow = o.netflow;
  if (o.ipfix) listen.ipfix = o.ipfix;
  if (o.sflow) listen.sflow = o.sflow;
  if (!o.netflow && !o.sflow && !o.ipfix) listen.netflow = '0.0.0.0:2055';
  // Everything checked before the deploy token leaves this machine (placeholder identity).
  const draft = (uuid: string, key: string): CollectorConfig => ({
    ...COLLECTOR_DEFAULTS, server_url: base, node_uuid: uuid, api_key: key, networks: o.networks, listen,
    ...(o.spoolDir ? { spool_dir: o.spoolDir } : {}), ...(o.allowInsecureHttp ? { allow_insecure_http: true } : {}),
  });
  const flag = (m: string) => m.replace(/^config: networks/, '--networks').replace(/^config: listen\.(\w+)/, '--$1').replace(/^config: server_url/, '--server');
  try {
    validateCollectorConfig(draft('00000000-0000-0000-0000-000000000000', '0'.repeat(64)));
  } catch (err) {
    throw new CollectorConfigError(flag((err as Error).message));
  }
  const bound = Object.values(listen).map((e) => /^\[?([^\]]*?)\]?:\d+$/.exec(e)?.[1] ?? '').find((a) => a !== '0.0.0.0' && a !== '::' && a !== '');
  const ip = o.ip ?? bound ?? '127.0.0.1';
  const f = o.fetch ?? fetch;
  const res = await f(`${base}/api/deploy`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.deployToken}`, 'content-type': 'application/json', 'user-agent': 'breakwater-collector' },
    body: JSON.stringify({ name: o.name ?? `${hostname()}-collector`, ip, interface: 'flow' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { node_uuid?: string; api_key?: string; error?: { message?: string } };
  if (res.status !== 200 || !body.node_uuid || !body.api_key) throw new CollectorConfigError(`enrolment refused by ${base}: HTTP ${res.status} ${body.error?.message ?? ''}`.trim());
  const reg = await f(`${base}/api/v1/agent/collector`, {
    method: 'POST',
    headers: { authorization: `Bearer ${body.api_key}`, 'x-node-uuid': body.node_uuid, 'content-type': 'application/json', 'user-agent': 'breakwater-collector' },
    body: JSON.stringify({ networks: o.networks, listen }),
    signal: AbortSignal.timeout(15_000),
  });
  if (reg.status !== 200) {
    const e = (await reg.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new CollectorConfigError(`collector registration refused by ${base}: HTTP ${reg.status} ${e.error?.message ?? ''}`.trim());
  }
  const config = draft(body.node_uuid, body.api_key);
  writeCollectorConfig(o.configPath, config);
  return config;
}
