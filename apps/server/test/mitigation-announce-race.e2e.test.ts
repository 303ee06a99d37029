// The race "a replica killed between announcing a rule to the speaker and recording it", made to
// happen every time: through a real speaker (GoBGP, then BIRD 2) peering with a real upstream BIRD 2, replica A
// announces a blackhole and is stopped for good the moment the speaker has accepted it (its call
// never returns, its row stays pending, its lease is never renewed). Replica B takes the lease
// over and finishes: it asks the speaker first and records the route as announced instead of
// announcing it again, so BIRD receives exactly one update and, after the withdrawal, exactly one
// withdraw, and the rule is recorded as announced once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mitigation as repo } from '@breakwater/db';
import type { MitigationAdapter } from '@breakwater/mitigation';
import { postgresBackend, waitFor } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';
import { hold, leaseHolders } from './lease-holders.ts';
import { SPEAKER_BEDS, upstreamImports, type SpeakerBed } from './speaker-beds.ts';

const VICTIM = '198.18.60.7';
const BH = `blackhole|${VICTIM}/32`;

for (const type of ['gobgp', 'bird2'] as const) describe(`through ${type}`, () => {
  let bed: SpeakerBed;
  let t: TestServer;

  before(async () => {
    bed = await SPEAKER_BEDS[type]!();
    t = await startTestServer(postgresBackend, { mitigation: { tickMs: 500, reconcileMs: 3_600_000, timeoutMs: 5000, maxAttempts: 5, ...bed.serverMitigation } });
  });
  after(async () => {
    await t?.stop();
    await bed?.destroy();
  });

  test(`${type} → BIRD: A killed after the speaker accepted the route and before recording it; B takes the lease over and finishes: one update, one withdraw`, async () => {
    const r = await t.request<any>('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: type, name: `edge-${type}`, endpoint: bed.endpoint, config: bed.config } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual(await upstreamImports(bed), { updates: 0, withdraws: 0 });

    // A's announce returns from the speaker, then A is gone: nothing after that point ever runs.
    const killed = hold();
    const opened: MitigationAdapter[] = [];
    // B's calls to the speaker, counted: GoBGP and BIRD do not pass an identical route on to their
    // peers again (the upstream's count alone would not show a second announcement), so B's are counted too.
    const byB: string[] = [];
    const h = await leaseHolders(t, {
      local: { socketDirs: bed.serverMitigation.socketDirs, birdIncludeDir: bed.serverMitigation.bird2?.includeDir },
      wraps: {
        'replica-a': (real) => {
          opened.push(real);
          return { announce: async (rule) => { await real.announce(rule); await killed.wait(); } };
        },
        'replica-b': (real) => ({
          announce: (rule) => (byB.push(`announce ${rule.id}`), real.announce(rule)),
          withdraw: (rule) => (byB.push(`withdraw ${rule.id}`), real.withdraw(rule)),
        }),
      },
    });
    try {
      const announced = { a: 0, b: 0 };
      h.a.live.subscribe(r.body.data.workspace_id ?? t.admin.workspaceId, (e) => void (e.type === 'mitigation.announced' && announced.a++));
      h.b.live.subscribe(r.body.data.workspace_id ?? t.admin.workspaceId, (e) => void (e.type === 'mitigation.announced' && announced.b++));
      const adapter = await h.adapter(r.body.data.id);
      await h.a.leases.round();
      const tokenA = h.a.leases.token('mitigation');
      assert.ok(tokenA !== null, 'A holds the lease');

      void h.a.service.create(h.rule(adapter, `${VICTIM}/32`));
      await killed.reached;
      await waitFor('the route at the upstream BIRD', async () => (await bed.observe()).has(BH), 15_000);
      const [row] = await t.server.ctx.db.selectFrom('mitigation_rules').selectAll().where('rule_key', '=', BH).execute();
      assert.equal(row?.status, 'pending', 'on the speaker, not yet recorded');
      assert.equal(row.announced_at, null);
      await waitFor('BIRD counted the one update', async () => (await upstreamImports(bed)).updates === 1, 15_000);

      // A never renews: B takes the lease over (its token + 1) and its first pass finishes the rule.
      assert.equal(await h.takeOver(h.b), tokenA + 1);
      await h.b.service.tick();
      const done = await repo.getRuleById(t.server.ctx.db, row.id);
      assert.equal(done?.status, 'active', JSON.stringify(done));
      assert.ok(done.announced_at !== null);
      assert.equal(done.attempts, 1, 'recorded as announced once, by B, without a second attempt at the speaker');
      assert.deepEqual(announced, { a: 0, b: 1 }, 'one mitigation.announced, from B');
      assert.deepEqual(byB, [], 'B asked the speaker and did not announce the route again');
      assert.deepEqual(h.b.errors, []);

      // More passes change nothing; the speaker still has it; BIRD still counts one update.
      h.clock.t += 5000;
      await h.b.leases.round();
      await h.b.service.tick();
      assert.equal((await repo.getRuleById(t.server.ctx.db, row.id))?.status, 'active');
      assert.deepEqual(await upstreamImports(bed), { updates: 1, withdraws: 0 }, 'BIRD received the blackhole once');

      // B withdraws it: one withdraw at BIRD.
      const gone = await h.b.service.withdraw(done, 'operator', 'attack over');
      assert.equal(gone.status, 'withdrawn');
      await waitFor('the route gone from the upstream BIRD', async () => !(await bed.observe()).has(BH), 15_000);
      await waitFor('BIRD counted the withdraw', async () => (await upstreamImports(bed)).withdraws >= 1, 15_000);
      assert.deepEqual(await upstreamImports(bed), { updates: 1, withdraws: 1 }, 'one update and one withdraw');
      const rows = await t.server.ctx.db.selectFrom('mitigation_rules').select(['id', 'status']).where('rule_key', '=', BH).execute();
      assert.deepEqual(rows, [{ id: row.id, status: 'withdrawn' }], 'one rule');
      assert.deepEqual(byB, [`withdraw ${row.id}`]);
    } finally {
      // A's process would be gone: close the connection its adapter left open (its call stays stuck).
      for (const a of opened) await a.stop().catch(() => undefined);
    }
  });
});
