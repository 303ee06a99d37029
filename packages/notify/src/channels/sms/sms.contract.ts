import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const KEY = 'KEY0123456789ABCDEF_telnyx_secret';

export const smsContract: ChannelContract<'sms'> = {
  type: 'sms',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/v2/messages');
      expectEq(p, 'authorization', req.headers.authorization, `Bearer ${KEY}`);
      const b = req.json ?? {};
      for (const k of ['from', 'to']) if (typeof b[k] !== 'string' || !/^\+[1-9][0-9]{6,14}$/.test(b[k])) p.push(`${k}: E.164`);
      if (typeof b.text !== 'string' || b.text.length === 0 || b.text.length > 160) p.push(`text: 1..160 chars, got ${b.text?.length}`);
      if (/[^\x20-\x7e\n]/.test(b.text ?? '')) p.push('text: not GSM-7 safe');
      return p;
    },
    ok: (req) => jsonReply(200, { data: { record_type: 'message', id: `40385f64-5717-4562-b3fc-2c963f66afa6-${req.json.to}`, to: [{ phone_number: req.json.to, status: 'queued' }], text: req.json.text } }),
    failures: {
      bad_request: () => jsonReply(422, { errors: [{ code: '40310', title: 'Invalid \'to\' address', detail: 'The \'to\' address is invalid.' }] }),
      unauthorized: () => jsonReply(401, { errors: [{ code: '10009', title: 'Authentication failed', detail: 'The API key is invalid.' }] }),
    },
  })),
  config: (host) => ({ api_url: `http://${host}`, api_key: KEY, to: ['+15551230001', '+15551230002'], from: '+15559870000' }),
  secrets: () => [KEY],
  requestsPerEvent: 2,
  successStatus: 200,
  failureStatus: { bad_request: 422 },
  retryAfterMs: 7000,
  assertOpened(req) {
    assert.ok(req.json.text.length <= 160);
    assert.match(req.json.text, /^Breakwater HIGH: udp_flood\/ntp_amplification on edge-<1>&"a" 203\.0\.113\.5, 1\.3 Mpps 9\.8 Gbps/);
  },
  assertResolved(req) {
    assert.match(req.json.text, /^Breakwater RESOLVED: .* after 5m 39s/);
  },
};
