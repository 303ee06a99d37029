import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, startHttpFake } from '@breakwater/outbound/testing';
import { verifyWebhook } from '../../webhook-signature.ts';

const SECRET = 'whsec_0123456789abcdef0123456789';

export const webhookContract: ChannelContract<'webhook'> = {
  type: 'webhook',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/hooks/breakwater');
      const v = verifyWebhook(SECRET, req.body, { signature: req.headers['x-breakwater-signature'] as string, timestamp: req.headers['x-breakwater-timestamp'] as string }, Date.now());
      if (!v.ok) p.push(`signature: ${v.reason}`);
      expectEq(p, 'x-breakwater-event', req.headers['x-breakwater-event'], req.json?.event);
      expectEq(p, 'custom header', req.headers['x-tenant'], 'acme');
      expectEq(p, 'custom auth header', req.headers.authorization, 'Bearer receiver-token-abcdef');
      if (typeof req.json?.incident?.uuid !== 'string') p.push('incident.uuid');
      return p;
    },
    ok: () => ({ status: 204 }),
  })),
  config: (host) => ({
    url: `http://${host}/hooks/breakwater`,
    secret: SECRET,
    // The reserved name must not let config replace the signature.
    headers: { 'X-Tenant': 'acme', Authorization: 'Bearer receiver-token-abcdef', 'X-Breakwater-Signature': 'forged' },
  }),
  secrets: () => [SECRET, 'receiver-token-abcdef'],
  successStatus: 204,
  retryAfterMs: 7000,
  assertOpened(req, n) {
    assert.equal(req.json.event, 'incident.opened');
    assert.deepEqual(req.json.incident, n.incident);
    assert.ok(req.headers['x-breakwater-delivery']);
  },
  assertResolved(req) {
    assert.equal(req.json.event, 'incident.resolved');
    assert.equal(req.json.incident.resolved_at, '2026-05-04T10:17:40.000Z');
  },
};
