// Channel and adapter secrets are sealed in the database (AES-256-GCM, enc:v1:), old
// plaintext rows still read and are sealed on their next write; data files are 0600.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

const HOOK = 'https://hooks.example.net/services/T000/B000/XOXB-channel-secret-42';
const TOKEN = 'ADAPTER-secret-token-9000';

for (const backend of BACKENDS) {
  describe(`secrets at rest on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('the raw rows hold no secret in clear; the API and the services still see them', async () => {
      const ch = await t.request('POST', '/api/v1/channels', { body: { name: 'sealed', type: 'webhook', config: { url: HOOK, secret: 'hmac-secret-abcdef' } } });
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      const ad = await t.request('POST', '/api/v1/mitigation/adapters', { body: { name: 'sealed', adapter_type: 'webhook', endpoint: 'https://scrub.example.net/hook', auth_token: TOKEN, config: { headers: { 'x-api-key': 'HEADER-secret-77' } } } });
      assert.equal(ad.status, 201, JSON.stringify(ad.body));
      const db = t.server.ctx.db;
      const rawCh = await db.selectFrom('channels').selectAll().where('id', '=', ch.body.data.id).executeTakeFirstOrThrow();
      const rawAd = await db.selectFrom('mitigation_adapters').selectAll().where('id', '=', ad.body.data.id).executeTakeFirstOrThrow();
      for (const [what, v] of [['channel config', rawCh.config], ['adapter config', rawAd.config], ['adapter token', rawAd.auth_token]] as const) {
        assert.match(String(v), /^enc:v1:/, what);
        for (const secret of ['XOXB-channel-secret-42', 'hmac-secret-abcdef', TOKEN, 'HEADER-secret-77']) assert.ok(!String(v).includes(secret), `${what} holds ${secret}`);
      }
      // Through the repositories (what the outbox and the adapters use) they are plaintext.
      const { channels, mitigation } = await import('@breakwater/db');
      assert.equal(JSON.parse((await channels.getChannelById(db, ch.body.data.id))!.config).url, HOOK);
      assert.equal((await mitigation.getAdapterById(db, ad.body.data.id))!.auth_token, TOKEN);
      // A row sealed for one id cannot be moved to another.
      await db.updateTable('channels').set({ config: rawCh.config }).where('id', '=', ch.body.data.id).execute();
      const other = await t.request('POST', '/api/v1/channels', { body: { name: 'other', type: 'webhook', config: { url: 'https://hooks.example.net/other', secret: 'x'.repeat(16) } } });
      await db.updateTable('channels').set({ config: rawCh.config }).where('id', '=', other.body.data.id).execute();
      await assert.rejects(channels.getChannelById(db, other.body.data.id), /cannot decrypt/);
      await db.deleteFrom('channels').where('id', '=', other.body.data.id).execute();
    });

    test('an old plaintext row still reads, and is sealed on its next write', async () => {
      const ch = await t.request('POST', '/api/v1/channels', { body: { name: 'legacy', type: 'webhook', config: { url: HOOK, secret: 'hmac-secret-abcdef' } } });
      const db = t.server.ctx.db;
      await db.updateTable('channels').set({ config: JSON.stringify({ url: HOOK, secret: 'hmac-secret-abcdef' }) }).where('id', '=', ch.body.data.id).execute();
      const { channels } = await import('@breakwater/db');
      assert.equal(JSON.parse((await channels.getChannelById(db, ch.body.data.id))!.config).url, HOOK);
      const r = await t.request('PATCH', `/api/v1/channels/${ch.body.data.id}`, { body: { config: { url: HOOK, secret: 'hmac-secret-abcdef' } } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const raw = async () => (await db.selectFrom('channels').select('config').where('id', '=', ch.body.data.id).executeTakeFirstOrThrow()).config;
      assert.match(await raw(), /^enc:v1:/);
      // Rows nobody writes again are sealed by the pass every start runs.
      await db.updateTable('channels').set({ config: JSON.stringify({ url: HOOK, secret: 'hmac-secret-abcdef' }) }).where('id', '=', ch.body.data.id).execute();
      assert.equal(await channels.sealPlaintextChannels(db), 1);
      assert.match(await raw(), /^enc:v1:/);
      assert.equal(JSON.parse((await channels.getChannelById(db, ch.body.data.id))!.config).url, HOOK);
    });

    if (backend.name === 'sqlite') {
      test('the database, its -wal/-shm, the key and the PCAP directories are the server user’s only', () => {
        const mode = (p: string) => statSync(p).mode & 0o777;
        for (const f of ['breakwater.db', 'breakwater.db-wal', 'breakwater.db-shm', 'secret.key']) {
          const p = join(t.dataDir, f);
          if (existsSync(p)) assert.equal(mode(p).toString(8), '600', f);
        }
        assert.ok(existsSync(join(t.dataDir, 'secret.key')));
        assert.equal(mode(t.dataDir).toString(8), '700');
      });
    }
  });
}
