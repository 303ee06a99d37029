import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const ROUTING_KEY = 'R0UT1NGkeyR0UT1NGkeyR0UT1NGkey12';

export const pagerdutyContract: ChannelContract<'pagerduty'> = {
  type: 'pagerduty',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/v2/enqueue');
      const b = req.json ?? {};
      expectEq(p, 'routing_key', b.routing_key, ROUTING_KEY);
      if (!['trigger', 'acknowledge', 'resolve'].includes(b.event_action)) p.push(`event_action ${b.event_action}`);
      if (b.dedup_key !== undefined) expectString(p, 'dedup_key', b.dedup_key, 255);
      if (b.event_action === 'trigger') {
        expectString(p, 'payload.summary', b.payload?.summary, 1024);
        expectString(p, 'payload.source', b.payload?.source);
        if (!['critical', 'error', 'warning', 'info'].includes(b.payload?.severity)) p.push(`payload.severity ${b.payload?.severity}`);
      } else if (typeof b.dedup_key !== 'string') p.push(`${b.event_action} needs dedup_key`);
      return p;
    },
    ok: (req) => jsonReply(202, { status: 'success', message: 'Event processed', dedup_key: req.json.dedup_key }),
    failures: {
      bad_request: () => jsonReply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of \'routing_key\' is incorrect (should be 32 characters)'] }),
      rate_limited: (req) => jsonReply(429, { status: 'throttle event', echo: req.body }, { 'retry-after': '7' }),
    },
  })),
  config: (host) => ({ routing_key: ROUTING_KEY, events_url: `http://${host}/v2/enqueue` }),
  secrets: () => [ROUTING_KEY],
  successStatus: 202,
  retryAfterMs: 7000,
  assertOpened(req) {
    const b = req.json;
    assert.equal(b.event_action, 'trigger');
    assert.equal(b.dedup_key, 'breakwater-3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
    assert.equal(b.payload.severity, 'error', 'high → error');
    assert.equal(b.payload.source, '203.0.113.5');
    assert.equal(b.payload.custom_details.peak_pps, 1_250_000);
    assert.equal(b.links[0].href, 'https://breakwater.example/incidents/3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
  },
  assertResolved(req, opened) {
    assert.equal(req.json.event_action, 'resolve');
    assert.equal(req.json.dedup_key, opened.json.dedup_key, 'resolve closes the trigger');
  },
};
