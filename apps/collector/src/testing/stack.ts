// A Breakwater server and an enrolled flow collector running inside a test's victim namespace
// (the exporters run there too and send to the collector over the namespace's loopback).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type TestNet } from '@breakwater/testing';

export const BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'breakwater.mjs');

export function inNs(ns: string, args: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...args], { encoding: 'utf8', timeout: 30_000 });
}

export interface CollectorStack {
  url: string;
  apiToken: string;
  collectorUuid: string;
  netflowPort: number;
  sflowPort: number;
  get(path: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on reply shapes
  collectorLog(): string;
  stopAll(): Promise<void>;
}

export interface CollectorStackOptions {
  networks?: string[];
  detection?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

export async function startCollectorStack(n: TestNet, dir: string, o: CollectorStackOptions = {}): Promise<CollectorStack> {
  const port = randomPort();
  const netflowPort = randomPort();
  const sflowPort = netflowPort + 1;
  const children: ChildProcess[] = [];
  let out = '';
  const server = spawn('ip', ['netns', 'exec', n.victim, process.execPath, BIN, 'server', '--port', String(port), '--data-dir', join(dir, 'server'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(server);
  server.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('server listening', () => /listening on (\S+)/.test(out), 30_000);
  const url = `http://127.0.0.1:${port}`;
  const deployToken = /Deploy token:\s+(\S+)/.exec(out)![1]!;
  const apiToken = /API token:\s+(\S+)/.exec(out)![1]!;
  const configPath = join(dir, 'collector.json');
  const enrolled = inNs(n.victim, [BIN, 'collector', 'enroll', '--server', url, '--deploy-token', deployToken, '--name', 'edge-collector',
    '--networks', (o.networks ?? [`${n.victimIp}/32`]).join(','), '--netflow', `127.0.0.1:${netflowPort}`, '--sflow', `127.0.0.1:${sflowPort}`,
    '--spool-dir', join(dir, 'spool'), '--config', configPath]);
  if (enrolled.status !== 0) throw new Error(enrolled.stderr);
  const collectorUuid = /enrolled as collector (\S+) /.exec(enrolled.stdout)![1]!;
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  Object.assign(config, { detection: o.detection ?? {}, status_interval_seconds: 1, ...o.config });
  writeFileSync(configPath, JSON.stringify(config));
  chmodSync(configPath, 0o600);
  const collector = spawn('ip', ['netns', 'exec', n.victim, process.execPath, BIN, 'collector', 'run', '--config', configPath], { stdio: ['ignore', 'inherit', 'pipe'] });
  children.push(collector);
  let log = '';
  collector.stderr.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-1_000_000);
    process.stderr.write(d);
  });
  await waitFor('collector listening', () => log.includes('protecting '), 30_000, 100);
  const get = (path: string) => {
    const js = `const r = await fetch(${JSON.stringify(url + path)}, { headers: { authorization: ${JSON.stringify(`Bearer ${apiToken}`)} } }); process.stdout.write(await r.text());`;
    const r = inNs(n.victim, ['--input-type=module', '-e', js]);
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  return {
    url, apiToken, collectorUuid, netflowPort, sflowPort, get, collectorLog: () => log,
    async stopAll() {
      for (const c of [...children].reverse()) {
        if (c.exitCode !== null) continue;
        c.kill('SIGTERM');
        await new Promise((r) => c.once('exit', r));
      }
    },
  };
}
