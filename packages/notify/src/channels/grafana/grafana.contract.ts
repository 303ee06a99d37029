import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const KEY = 'glsa_0123456789abcdefghijklmnopqrstuv_12345678';

export const grafanaContract: ChannelContract<'grafana'> = {
  type: 'grafana',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/grafana/api/annotations');
      expectEq(p, 'authorization', req.headers.authorization, `Bearer ${KEY}`);
      const b = req.json ?? {};
      if (!Number.isInteger(b.time) || b.time < 1e12) p.push('time: epoch ms');
      if (b.timeEnd !== undefined && (!Number.isInteger(b.timeEnd) || b.timeEnd < b.time)) p.push('timeEnd: epoch ms ≥ time');
      if (!Array.isArray(b.tags) || b.tags.some((t: unknown) => typeof t !== 'string')) p.push('tags');
      expectString(p, 'text', b.text);
      expectEq(p, 'dashboardUID', b.dashboardUID, 'ddos-overview');
      return p;
    },
    ok: () => jsonReply(200, { message: 'Annotation added', id: 1 }),
    failures: { unauthorized: () => jsonReply(401, { message: 'Invalid API key', traceID: '' }) },
  })),
  // A sub-path, as when Grafana is served behind a reverse proxy.
  config: (host) => ({ url: `http://${host}/grafana/`, api_key: KEY, dashboard_uid: 'ddos-overview' }),
  secrets: () => [KEY],
  successStatus: 200,
  retryAfterMs: 7000,
  assertOpened(req) {
    assert.equal(req.json.time, Date.parse('2026-05-04T10:12:03.000Z'));
    assert.equal(req.json.timeEnd, undefined);
    assert.ok(req.json.tags.includes('incident:3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b'));
  },
  assertResolved(req) {
    assert.equal(req.json.time, Date.parse('2026-05-04T10:12:01.000Z'));
    assert.equal(req.json.timeEnd, Date.parse('2026-05-04T10:17:40.000Z'));
  },
};
