// Diversion writes fenced by the scrubbing lease's token, on real PostgreSQL, against the Cloudflare
// Magic Transit fake: replica A polls a diversion and is held inside the provider's status call
// while replica B takes the lease over; A's answer ("diverting") is refused at the write (a
// FencedOut logged, the pass stopped, nothing recorded), and B records it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrubbing as repo } from '@breakwater/db';
import { SCRUBBING_FACTORIES, type ScrubbingFactory, type ScrubbingProvider } from '@breakwater/scrubbing';
import { startCloudflareFake } from '@breakwater/scrubbing/testing';
import { postgresBackend } from '@breakwater/testing';
import { FencedOut } from '../src/cluster/lease-turn.ts';
import { LeaseManager } from '../src/cluster/leases.ts';
import { ProviderPool } from '../src/services/scrubbing/provider-pool.ts';
import { ScrubbingService } from '../src/services/scrubbing/scrubbing-service.ts';
import { startTestServer } from './harness.ts';
import { hold, LEASE_TTL_MS, MovableClock } from './lease-holders.ts';

test('scrubbing (postgres): a holder whose lease was taken over while it polled the provider is refused at the write; the new holder records it', async () => {
  const clock = new MovableClock();
  const cf = await startCloudflareFake({ prefixes: [{ cidr: '198.51.100.0/24' }], clock: { now: clock.now, advance: (ms) => void (clock.t += ms) } });
  const t = await startTestServer(postgresBackend, { outbound: { scrubbing: { cloudflare_magic_transit: ['loopback' as const] }, adapters: {}, channels: {} } });
  try {
    const created = await t.request<any>('POST', '/api/v1/scrubbing', {
      body: { integration_type: 'cloudflare_magic_transit', name: 'Cloudflare MT', config: { api_token: cf.token, account_id: cf.accountId, prefixes: [{ cidr: '198.51.100.0/24' }], api_url: cf.url } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ctx = t.server.ctx;
    await ctx.scrubbing.stop();
    await ctx.cluster.leases.stop();
    const db = ctx.db;

    const atProvider = hold();
    const holdStatus = (real: ScrubbingFactory): ScrubbingFactory => (config, deps) => {
      const p = real(config, deps);
      return Object.assign(Object.create(p) as ScrubbingProvider, { status: async (target: string) => { const s = await p.status(target); await atProvider.wait(); return s; } });
    };
    const make = (id: string, held: boolean) => {
      const errors: unknown[] = [];
      const factories = held ? { ...SCRUBBING_FACTORIES, cloudflare_magic_transit: holdStatus(SCRUBBING_FACTORIES.cloudflare_magic_transit) } : SCRUBBING_FACTORIES;
      const leases = new LeaseManager({ db, dialect: ctx.dialect, clock, replicaId: id, ttlMs: LEASE_TTL_MS, renewMs: 1000, names: ['scrubbing'], onError: (e) => errors.push(e) });
      const service = new ScrubbingService({
        db, clock, gate: leases.gate('scrubbing'), onError: (e) => errors.push(e), tickMs: 500, pollMs: 1000, reconcileMs: 3_600_000, maxAttempts: 5,
        pool: new ProviderPool(factories, { now: clock.now, fetch, timeoutMs: 5000 }, () => ['loopback']),
      });
      return { leases, service, errors };
    };
    const a = make('replica-a', true);
    const b = make('replica-b', false);
    await a.leases.round();
    const tokenA = a.leases.token('scrubbing');
    assert.ok(tokenA !== null);

    // Asked for on request (not fenced), through A: Cloudflare advertises the prefix.
    const integration = (await repo.getIntegration(db, t.admin.workspaceId, created.body.data.id))!;
    const d = await a.service.announce({
      workspaceId: t.admin.workspaceId, integration, address: '198.51.100.7', ownerKind: 'user', owner: 'test', reason: 'fencing', ttlSeconds: 3600,
      incident: null, node: null, tier: null, dryRun: false, allowlist: [], holdDownSeconds: 0,
    });
    assert.equal(d.state, 'propagating', JSON.stringify(d));
    const events = async () => (await db.selectFrom('scrubbing_events').select('id').where('diversion_id', '=', d.id).execute()).length;
    const before = await events();

    // Past Cloudflare's propagation time: A's pass asks the provider, which now says diverting; A is held there.
    clock.t += 8 * 60_000;
    const passA = a.service.tick();
    await atProvider.reached;
    clock.t += LEASE_TTL_MS + 1;
    await b.leases.round();
    assert.equal(b.leases.token('scrubbing'), tokenA + 1);
    atProvider.release();
    await passA;
    assert.equal(a.errors.filter((e) => e instanceof FencedOut).length, 1, a.errors.map(String).join('; '));
    assert.equal(a.errors.length, 1);
    assert.equal((await repo.getDiversion(db, d.id))?.state, 'propagating', 'A recorded nothing');
    assert.equal(await events(), before, 'and appended no event');

    // B, the holder, polls and records it.
    await b.service.tick();
    const now = await repo.getDiversion(db, d.id);
    assert.equal(now?.state, 'diverting', JSON.stringify(now));
    assert.ok((await events()) > before);
    assert.deepEqual(b.errors, []);
    await a.service.stop();
    await b.service.stop();
  } finally {
    await t.stop();
    await cf.stop();
  }
});
