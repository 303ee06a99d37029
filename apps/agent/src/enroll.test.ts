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
  test('plain http:// is refused for a server other than loopback unless allow_insecure_http says so; failsafe_release_seconds is checked', () => {
    assert.throws(() => validateAgentConfig({ ...good, server_url: 'http://bw.example.net' }), /server_url must be https:\/\/ \(plain http:\/\/ to bw\.example\.net would send the node key in clear; use https:\/\/, or set "allow_insecure_http": true/);
    assert.throws(() => validateAgentConfig({ ...good, server_url: 'http://192.0.2.1:8080' }), /server_url must be https/);
    assert.equal(validateAgentConfig({ ...good, server_url: 'http://bw.example.net', allow_insecure_http: true }).allow_insecure_http, true);
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'http://127.3.4.5']) assert.equal(validateAgentConfig({ ...good, server_url: url }).server_url, url);
    assert.throws(() => validateAgentConfig({ ...good, allow_insecure_http: 'yes' }), /allow_insecure_http must be true or false/);
    assert.equal(validateAgentConfig(good).failsafe_release_seconds, 300);
    for (const v of [0, 4, 1.5, '300', 7 * 86_400 + 1]) assert.throws(() => validateAgentConfig({ ...good, failsafe_release_seconds: v }), /failsafe_release_seconds must be an integer from 5 to 604800/);
  });

  test('enroll refuses a plain http:// server on another machine before sending the deploy token; with the flag it warns and writes the opt-in', async () => {
    const d = mkdtempSync(join(tmpdir(), 'bw-enr-'));
    const sent: string[] = [];
    const fakeFetch = (async (url: string) => {
      sent.push(url);
      return new Response(JSON.stringify({ ok: true, node_uuid: good.node_uuid, api_key: good.api_key }), { status: 200 });
    }) as unknown as typeof fetch;
    try {
      await assert.rejects(enroll({ server: 'http://bw.example.net', deployToken: 'bwd_x', configPath: join(d, 'a.json'), ip: '192.0.2.9', fetch: fakeFetch }), /--server: plain http:\/\/ to bw\.example\.net .* --allow-insecure-http/);
      assert.deepEqual(sent, [], 'the deploy token went nowhere');
      const warnings: string[] = [];
      const cfg = await enroll({ server: 'http://bw.example.net', deployToken: 'bwd_x', configPath: join(d, 'b.json'), ip: '192.0.2.9', fetch: fakeFetch, allowInsecureHttp: true, warn: (m) => warnings.push(m) });
      assert.equal(cfg.allow_insecure_http, true);
      assert.equal(loadAgentConfig(join(d, 'b.json')).allow_insecure_http, true, 'the agent starts with it');
      assert.match(warnings.join('\n'), /plain http: the deploy token and the node key cross the network unencrypted/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
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
