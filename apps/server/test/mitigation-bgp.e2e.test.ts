// Rules through real BGP speakers: created by the API or by the policy for an incident the
// agent API reports, seen at an upstream BIRD 2 (and a second peer where the bed has one),
// withdrawn, expired on time, and reconciled after a server restart and after the speaker is
// killed and started again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@breakwater/testing';
import { ADAPTER_FACTORIES } from '@breakwater/mitigation';
import { createServer, resolveConfig, type RunningServer } from '../src/index.ts';
import { TestClock } from './harness.ts';
import { SPEAKER_BEDS, type SpeakerBed } from './speaker-beds.ts';

const VICTIM = '198.18.30.5';
const BH = `blackhole|${VICTIM}/32`;

/** What the adapter type can carry, from the implementation itself (building one does no I/O). */
const carries = (type: string, what: 'flowspec' | 'blackhole') =>
  ADAPTER_FACTORIES[type as keyof typeof ADAPTER_FACTORIES]({ endpoint: '/nowhere', authToken: null, options: {} }, { now: Date.now, fetch, timeoutMs: 1000 }).capabilities.includes(what);

for (const [type, startBed] of Object.entries(SPEAKER_BEDS)) {
  describe(`mitigation through ${type}`, () => {
    let bed: SpeakerBed;
    let dir: string;
    let server: RunningServer;
    let token: string;
    let deployToken: string;
    let adapterId: string;
    const clock = new TestClock();
    // The bed's socket and include directories come in through the server's config, as an operator's would.
    const config = () => resolveConfig({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'silent', mitigation: { tickMs: 50, reconcileMs: 1000, timeoutMs: 3000, maxAttempts: 5, ...bed.serverMitigation } });
    const start = async () => {
      server = await createServer(config(), { clock }).start({ bootstrapIfEmpty: true });
      if (server.bootstrapped) {
        token = server.bootstrapped.api_token;
        deployToken = server.bootstrapped.deploy_token;
      }
    };
    const api = async (method: string, path: string, body?: unknown, bearer = token) => {
      const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };
    const seen = async (key: string) => (await bed.observe()).has(key);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `bw-mit-${type}-`));
      bed = await startBed();
      await start();
      const r = await api('POST', '/api/v1/mitigation/adapters', { adapter_type: type, name: `${type}-edge`, endpoint: bed.endpoint, config: bed.config });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      adapterId = r.body.data.id;
      assert.equal(r.body.data.status, 'up', JSON.stringify(r.body.data));
    });
    after(async () => {
      await server?.stop();
      await bed?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('connectivity test reports the speaker with its latency', async () => {
      const r = await api('POST', `/api/v1/mitigation/adapters/${adapterId}/test`);
      assert.equal(r.body.data.ok, true, JSON.stringify(r.body));
      assert.ok(r.body.data.latency_ms >= 0);
    });

    test('a blackhole created through the API reaches the upstream peers with 65535:666, and withdraw removes it', async () => {
      const r = await api('POST', '/api/v1/mitigation/rules', { target_ip: VICTIM, intent_type: 'blackhole', adapter_id: adapterId, ttl: 600, reason: 'e2e' });
      assert.equal(r.body.data?.status, 'active', JSON.stringify(r.body));
      await waitFor('route at the upstream BIRD', () => seen(BH));
      const communities = await bed.communities(BH);
      assert.ok(communities?.includes('65535:666'), `communities ${JSON.stringify(communities)}`);
      assert.ok(communities?.includes('65535:65281'), 'NO_EXPORT');
      if (bed.secondPeer) {
        await waitFor('route at the second peer', async () => (await bed.secondPeer!()).has(BH), 15_000);
        const second = await bed.secondPeerCommunities?.(BH);
        if (bed.secondPeerCommunities) assert.ok(second?.includes('65535:666') && second.includes('65535:65281'), `communities at the second peer ${JSON.stringify(second)}`);
      }
      const w = await api('DELETE', `/api/v1/mitigation/rules/${r.body.data.id}`);
      assert.equal(w.body.data.status, 'withdrawn');
      await waitFor('route gone upstream', async () => !(await seen(BH)));
      if (bed.secondPeer) await waitFor('route gone at the second peer', async () => !(await bed.secondPeer!()).has(BH));
    });

    // FRR receives FlowSpec but cannot originate it: its adapter carries blackholes only.
    if (carries(type, 'flowspec')) test('a FlowSpec rule reaches the upstream peers with its components', async () => {
      const r = await api('POST', '/api/v1/mitigation/rules', {
        target_ip: VICTIM, intent_type: 'flowspec', adapter_id: adapterId, ttl: 600,
        match: { protocols: [17], source_ports: [{ from: 123, to: 123 }], packet_length: [{ from: 400, to: 1500 }] }, action: { type: 'discard' },
      });
      assert.equal(r.body.data?.status, 'active', JSON.stringify(r.body));
      const key = await waitFor<string>('flow route upstream', async () => [...(await bed.observe())].find((k) => k.startsWith(`flowspec|dst=${VICTIM}/32`)));
      assert.match(key, /proto=017/);
      assert.match(key, /sport=123/);
      assert.match(key, /len=400-1500/);
      // The second peer decodes the same components into the same key.
      if (bed.secondPeer) await waitFor('flow route at the second peer', async () => (await bed.secondPeer!()).has(key), 15_000);
      await api('DELETE', `/api/v1/mitigation/rules/${r.body.data.id}`);
      await waitFor('flow route gone', async () => ![...(await bed.observe())].some((k) => k.startsWith('flowspec|')));
      if (bed.secondPeer) await waitFor('flow route gone from the second peer', async () => ![...(await bed.secondPeer!())].some((k) => k.startsWith('flowspec|')));
    });

    test('a rule expires on time', async () => {
      const r = await api('POST', '/api/v1/mitigation/rules', { target_ip: VICTIM, intent_type: 'blackhole', adapter_id: adapterId, ttl: 120 });
      await waitFor('route up', () => seen(BH));
      clock.advance(121_000);
      await waitFor('route expired upstream', async () => !(await seen(BH)));
      const h = await api('GET', '/api/v1/mitigation/rules/history?limit=5');
      assert.equal(h.body.data.find((x: any) => x.id === r.body.data.id).status, 'expired');
    });

    test('an incident from the agent path is blackholed by the policy and released when it resolves', async () => {
      const p = await api('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [{ name: 'tier1', pps: 100_000, action: 'blackhole', adapter_id: adapterId }], hold_down_seconds: 0, dry_run: false });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const d = await api('POST', '/api/deploy', { name: `victim-${type}`, ip: VICTIM }, deployToken);
      const node = { 'x-node-uuid': d.body.node_uuid, authorization: `Bearer ${d.body.api_key}`, 'content-type': 'application/json' };
      const open = await fetch(`${server.url}/api/v1/agent/incidents`, { method: 'POST', headers: node, body: JSON.stringify({ attack_family: 'udp_flood', peak_pps: 50_000, peak_bps: 1e8 }) });
      const uuid = ((await open.json()) as { uuid: string }).uuid;
      await server.autoMitigator.idle();
      assert.equal(await seen(BH), false, 'below the tier: nothing announced');
      await fetch(`${server.url}/api/v1/agent/incidents/${uuid}`, { method: 'POST', headers: node, body: JSON.stringify({ peak_pps: 400_000 }) });
      await waitFor('policy blackhole upstream', () => seen(BH));
      await fetch(`${server.url}/api/v1/agent/incidents/${uuid}/resolve`, { method: 'POST', headers: node, body: JSON.stringify({}) });
      await waitFor('released after resolve', async () => !(await seen(BH)));
      await api('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [] });
    });

    test('after a server restart and a speaker restart, stored rules are announced again and strays withdrawn', async () => {
      const keep = await api('POST', '/api/v1/mitigation/rules', { target_ip: '198.18.30.6', intent_type: 'blackhole', adapter_id: adapterId, ttl: 3600 });
      const gone = await api('POST', '/api/v1/mitigation/rules', { target_ip: '198.18.30.7', intent_type: 'blackhole', adapter_id: adapterId, ttl: 3600 });
      await waitFor('both up', async () => (await seen('blackhole|198.18.30.6/32')) && (await seen('blackhole|198.18.30.7/32')));
      await api('DELETE', `/api/v1/mitigation/rules/${gone.body.data.id}`);
      await waitFor('one withdrawn', async () => !(await seen('blackhole|198.18.30.7/32')));

      await server.stop();
      // While the server is away the speaker restarts (losing every route), and a stray is left
      // on it: the withdrawn rule announced again behind the server's back.
      await bed.killSpeaker();
      await bed.restartSpeaker();
      const stray = ADAPTER_FACTORIES[type as keyof typeof ADAPTER_FACTORIES]({ endpoint: bed.endpoint, authToken: null, options: bed.config }, {
        now: Date.now, timeoutMs: 3000, reach: ['loopback'], local: { socketDirs: bed.serverMitigation.socketDirs, birdIncludeDir: bed.serverMitigation.bird2?.includeDir },
      });
      await stray.start();
      await stray.announce({ id: gone.body.data.id, spec: gone.body.data.spec });
      await stray.stop();
      await waitFor('stray seen upstream', () => seen('blackhole|198.18.30.7/32'));
      if (!bed.keepsRulesOnRestart) assert.equal(await seen('blackhole|198.18.30.6/32'), false, 'the restart dropped the stored rule');

      await start();
      await waitFor('stored rule announced again', () => seen('blackhole|198.18.30.6/32'));
      await waitFor('stray withdrawn', async () => !(await seen('blackhole|198.18.30.7/32')));
      await api('DELETE', `/api/v1/mitigation/rules/${keep.body.data.id}`);
    });

    test('a speaker killed and restarted while the server runs gets its rules back', async () => {
      const r = await api('POST', '/api/v1/mitigation/rules', { target_ip: '198.18.30.8', intent_type: 'blackhole', adapter_id: adapterId, ttl: 3600 });
      await waitFor('up', () => seen('blackhole|198.18.30.8/32'));
      await bed.killSpeaker();
      await waitFor('adapter seen down', async () => (await api('GET', '/api/v1/mitigation/adapters')).body.data[0].status === 'down' || !(await seen('blackhole|198.18.30.8/32')), 10_000);
      await bed.restartSpeaker();
      await waitFor('re-announced after the flap', () => seen('blackhole|198.18.30.8/32'), 15_000);
      await api('DELETE', `/api/v1/mitigation/rules/${r.body.data.id}`);
      await waitFor('withdrawn', async () => !(await seen('blackhole|198.18.30.8/32')));
    });
  });
}
