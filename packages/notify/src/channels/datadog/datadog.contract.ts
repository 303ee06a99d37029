import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const KEY = 'ddapikey0123456789abcdef01234567';

export const datadogContract: ChannelContract<'datadog'> = {
  type: 'datadog',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/api/v1/events');
      expectEq(p, 'DD-API-KEY', req.headers['dd-api-key'], KEY);
      const b = req.json ?? {};
      expectString(p, 'title', b.title, 100);
      expectString(p, 'text', b.text, 4000);
      if (!['error', 'warning', 'info', 'success', 'user_update', 'recommendation', 'snapshot'].includes(b.alert_type)) p.push(`alert_type ${b.alert_type}`);
      if (b.aggregation_key !== undefined) expectString(p, 'aggregation_key', b.aggregation_key, 100);
      if (!Array.isArray(b.tags) || b.tags.some((t: unknown) => typeof t !== 'string' || /[\s,]/.test(t))) p.push('tags: strings without spaces or commas');
      return p;
    },
    ok: (req) => jsonReply(202, { status: 'ok', event: { id: 7284629342, title: req.json.title, date_happened: req.json.date_happened } }),
    failures: { unauthorized: () => jsonReply(403, { errors: ['Forbidden'] }) },
  })),
  config: (host) => ({ api_key: KEY, api_url: `http://${host}` }),
  secrets: () => [KEY],
  successStatus: 202,
  failureStatus: { unauthorized: 403 },
  retryAfterMs: 7000,
  assertOpened(req) {
    assert.equal(req.json.alert_type, 'error');
    assert.equal(req.json.aggregation_key, '3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
    assert.ok(req.json.tags.includes('incident:3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b'));
    assert.ok(req.json.text.startsWith('%%%'));
  },
  assertResolved(req, opened) {
    assert.equal(req.json.alert_type, 'success');
    assert.equal(req.json.aggregation_key, opened.json.aggregation_key);
  },
};
