import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectJsonPost, expectString, jsonReply, startHttpFake, type FakeRequest } from '@breakwater/outbound/testing';

const PATH = '/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX';

export const slackContract: ChannelContract<'slack'> = {
  type: 'slack',
  start: () => startHttpFake(checkedSpec({
    check(req: FakeRequest) {
      const p = expectJsonPost(req, PATH);
      expectString(p, 'text', req.json?.text, 40000);
      const blocks = req.json?.blocks;
      if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) p.push('blocks: 1..50 required');
      for (const b of Array.isArray(blocks) ? blocks : []) {
        if (!['header', 'section', 'context', 'actions', 'divider'].includes(b?.type)) p.push(`block type ${b?.type}`);
        if (b.type === 'header' && (b.text?.type !== 'plain_text' || b.text.text.length > 150)) p.push('header: plain_text ≤ 150');
        if (b.type === 'section' && Array.isArray(b.fields) && b.fields.length > 10) p.push('section: ≤ 10 fields');
      }
      return p;
    },
    ok: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }),
    failures: {
      bad_request: () => ({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid_payload' }),
      unauthorized: () => ({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'invalid_token' }),
      rate_limited: () => ({ status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' }),
      server_error: (req) => jsonReply(500, { echo: req.body }),
    },
  })),
  config: (host) => ({ webhook_url: `http://${host}${PATH}` }),
  secrets: (c) => [c.webhook_url, PATH, 'XXXXXXXXXXXXXXXXXXXXXXXX'],
  successStatus: 200,
  failureStatus: { unauthorized: 403 },
  retryAfterMs: 30_000,
  assertOpened(req) {
    assert.match(req.json.text, /Attack detected: udp_flood \(ntp_amplification\) on edge-<1>&"a" \(203\.0\.113\.5\) — HIGH/);
    const section = JSON.stringify(req.json.blocks[1]);
    assert.ok(section.includes('&lt;script&gt;') && !section.includes('<script>'), 'mrkdwn is escaped');
    assert.ok(JSON.stringify(req.json.blocks).includes('https://breakwater.example/incidents/'), 'button to the dashboard');
  },
  assertResolved(req) {
    assert.match(req.json.text, /^Attack ended/);
    assert.ok(JSON.stringify(req.json.blocks).includes('5m 39s'), 'duration shown');
  },
};
