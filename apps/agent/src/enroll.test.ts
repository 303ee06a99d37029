import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer, resolveConfig, type RunningServer } from '@breakwater/server';
import { loadAgentConfig, validateAgentConfig } from './agent-config.ts';
import { enroll } from './enroll.ts';

describe('agent enrolment against a real server', () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bw-enroll-'));
    server = await createServer(resolveConfig({ port: 0, dataDir: join(dir, 'server'), logLevel: 'silent' })).start({ bootstrapIfEmpty: true });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('registers the node, writes a root-only config the agent can load, and the key works', async () => {
    const path = join(dir, 'agent.json');
    const cfg = await enroll({ server: server.url + '/', deployToken: server.bootstrapped!.deploy_token, configPath: path, name: 'edge-7', interface: 'lo', ip: '192.0.2.7' });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadAgentConfig(path), cfg);
    assert.equal(cfg.server_url, server.url);
    const hb = await fetch(`${server.url}/api/v1/agent/heartbeat`, {
      method: 'POST', headers: { authorization: `Bearer ${cfg.api_key}`, 'x-node-uuid': cfg.node_uuid, 'content-type': 'application/json' }, body: '{"version":"test"}',
    });
    assert.equal(hb.status, 200);
    await assert.rejects(enroll({ server: server.url, deployToken: server.bootstrapped!.deploy_token, configPath: path, ip: '192.0.2.7' }), /already exists.*--force/);
  });

  test('a wrong deploy token or a taken name is reported with the server’s reason, and no file is written', async () => {
    const path = join(dir, 'bad.json');
    await assert.rejects(enroll({ server: server.url, deployToken: 'bwd_' + '0'.repeat(64), configPath: path, ip: '192.0.2.8' }), /HTTP 401/);
    await assert.rejects(enroll({ server: server.url, deployToken: server.bootstrapped!.deploy_token, configPath: path, name: 'edge-7', ip: '192.0.2.8' }), /HTTP 409 .*already exists/);
    assert.throws(() => statSync(path));
  });
});

describe('agent config validation', () => {
  const good = { server_url: 'https://bw.example.net', node_uuid: '0b5c8f0e-6a47-4a5e-9b1e-4c2d7e8f9a10', api_key: 'a'.repeat(64) };
  test('defaults fill in; every bad key is named', () => {
    assert.equal(validateAgentConfig(good).allow_raw_commands, false);
    for (const [patch, msg] of [
      [{ server_url: 'ftp://x' }, /server_url must be an http/],
      [{ node_uuid: 'abc' }, /node_uuid must be/],
      [{ api_key: 'short' }, /api_key must be/],
      [{ interface: 'eth0; reboot' }, /interface must be/],
      [{ spool_dir: 'relative/dir' }, /spool_dir must be an absolute path/],
      [{ pcap_max_bytes: 10 }, /pcap_max_bytes must be/],
      [{ allow_raw_commands: 'yes' }, /allow_raw_commands must be true or false/],
      [{ colour: 'red' }, /unknown key "colour"/],
    ] as const) assert.throws(() => validateAgentConfig({ ...good, ...patch }), msg);
  });
  test('a config others can read is refused, with the fix in the message', () => {
    const d = mkdtempSync(join(tmpdir(), 'bw-cfg-'));
    const p = join(d, 'agent.json');
    writeFileSync(p, JSON.stringify(good));
    chmodSync(p, 0o644);
    assert.throws(() => loadAgentConfig(p), /readable by others \(mode 644\); run: chmod 600/);
    chmodSync(p, 0o600);
    assert.equal(loadAgentConfig(p).node_uuid, good.node_uuid);
    writeFileSync(p, '{not json');
    assert.throws(() => loadAgentConfig(p), /not valid JSON/);
    assert.ok(readFileSync(p, 'utf8').length > 0);
    rmSync(d, { recursive: true, force: true });
  });
});
