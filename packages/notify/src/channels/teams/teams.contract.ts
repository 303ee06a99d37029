import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, startHttpFake } from '@breakwater/outbound/testing';

const PATH = '/workflows/2a1b3c4d/triggers/manual/paths/invoke';

export const teamsContract: ChannelContract<'teams'> = {
  type: 'teams',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, PATH);
      expectEq(p, 'type', req.json?.type, 'message');
      const a = req.json?.attachments?.[0];
      expectEq(p, 'attachments.length', req.json?.attachments?.length, 1);
      expectEq(p, 'attachment contentType', a?.contentType, 'application/vnd.microsoft.card.adaptive');
      expectEq(p, 'card type', a?.content?.type, 'AdaptiveCard');
      if (!['1.2', '1.3', '1.4', '1.5'].includes(a?.content?.version)) p.push(`card version ${a?.content?.version}`);
      if (!Array.isArray(a?.content?.body) || a.content.body.length === 0) p.push('card body');
      return p;
    },
    // Workflows webhooks accept with 202 and no body.
    ok: () => ({ status: 202 }),
  })),
  config: (host) => ({ webhook_url: `http://${host}${PATH}?api-version=2016-06-01&sig=SIGsecretSIGsecret123` }),
  secrets: (c) => [c.webhook_url, 'SIGsecretSIGsecret123'],
  successStatus: 202,
  retryAfterMs: 7000,
  assertOpened(req) {
    const card = req.json.attachments[0].content;
    assert.equal(card.body[0].text.startsWith('Attack detected'), true);
    const facts = card.body[2].facts as Array<{ title: string; value: string }>;
    assert.ok(facts.some((f) => f.title === 'Peak' && f.value === '1.3 Mpps / 9.8 Gbps'), JSON.stringify(facts));
    assert.equal(card.actions[0].type, 'Action.OpenUrl');
  },
  assertResolved(req) {
    assert.equal(req.json.attachments[0].content.body[0].color, 'good');
  },
};
