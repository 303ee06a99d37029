import assert from 'node:assert/strict';
import { SEVERITY_COLOR, RESOLVED_COLOR } from '../../format.ts';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const PATH = '/api/webhooks/112233445566778899/tok_abcdefghijklmnopqrstuvwxyz0123456789';

export const discordContract: ChannelContract<'discord'> = {
  type: 'discord',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, PATH);
      expectEq(p, 'wait query', req.query.get('wait'), 'true');
      const embeds = req.json?.embeds;
      if (!Array.isArray(embeds) || embeds.length < 1 || embeds.length > 10) p.push('embeds: 1..10');
      for (const e of Array.isArray(embeds) ? embeds : []) {
        expectString(p, 'embed.title', e.title, 256);
        if (typeof e.description === 'string' && e.description.length > 4096) p.push('embed.description > 4096');
        if (!Number.isInteger(e.color)) p.push('embed.color must be an integer');
        if (!Array.isArray(e.fields) || e.fields.length > 25) p.push('embed.fields ≤ 25');
        for (const f of e.fields ?? []) if (!f.name || !f.value || f.name.length > 256 || f.value.length > 1024) p.push('embed field name ≤ 256, value 1..1024');
      }
      return p;
    },
    ok: () => jsonReply(200, { id: '1234567890123456789', type: 0, channel_id: '42' }),
    failures: { rate_limited: () => jsonReply(429, { message: 'You are being rate limited.', retry_after: 1.5, global: false }, { 'retry-after': '2' }) },
  })),
  config: (host) => ({ webhook_url: `http://${host}${PATH}` }),
  secrets: (c) => [c.webhook_url, PATH, 'tok_abcdefghijklmnopqrstuvwxyz0123456789'],
  successStatus: 200,
  // The body's float retry_after is more precise than the header's whole seconds.
  retryAfterMs: 1500,
  assertOpened(req) {
    const e = req.json.embeds[0];
    assert.equal(e.color, SEVERITY_COLOR.high);
    assert.equal(e.url, 'https://breakwater.example/incidents/3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
    assert.deepEqual(req.json.allowed_mentions, { parse: [] });
  },
  assertResolved(req) {
    assert.equal(req.json.embeds[0].color, RESOLVED_COLOR);
  },
};
