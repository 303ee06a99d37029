import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectString, jsonReply, startHttpFake } from '@breakwater/outbound/testing';

const KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';
const ALIAS = '3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b';

export const opsgenieContract: ChannelContract<'opsgenie'> = {
  type: 'opsgenie',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p: string[] = [];
      expectEq(p, 'method', req.method, 'POST');
      expectEq(p, 'authorization', req.headers.authorization, `GenieKey ${KEY}`);
      if (!String(req.headers['content-type']).startsWith('application/json')) p.push('content-type');
      const action = /^\/v2\/alerts\/([^/]+)\/(close|notes)$/.exec(req.path);
      if (req.path === '/v2/alerts') {
        expectString(p, 'message', req.json?.message, 130);
        expectString(p, 'alias', req.json?.alias, 512);
        if (req.json?.description?.length > 15000) p.push('description > 15000');
        if (!['P1', 'P2', 'P3', 'P4', 'P5'].includes(req.json?.priority)) p.push(`priority ${req.json?.priority}`);
        for (const r of req.json?.responders ?? []) if (!['team', 'user', 'escalation', 'schedule'].includes(r.type) || !(r.name || r.username || r.id)) p.push(`responder ${JSON.stringify(r)}`);
        for (const v of Object.values(req.json?.details ?? {})) if (typeof v !== 'string') p.push('details values must be strings');
      } else if (action) {
        expectEq(p, 'identifierType', req.query.get('identifierType'), 'alias');
        if (action[2] === 'notes') expectString(p, 'note', req.json?.note, 25000);
      } else p.push(`path ${req.path}`);
      return p;
    },
    ok: () => jsonReply(202, { result: 'Request will be processed', took: 0.302, requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120' }),
    failures: {
      bad_request: () => jsonReply(422, { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' }, took: 0.1, requestId: 'x' }),
      unauthorized: (req) => jsonReply(401, { message: `Key format is not valid! ${String(req.headers.authorization)}`, took: 0, requestId: 'y' }),
    },
  })),
  config: (host) => ({ api_key: KEY, api_url: `http://${host}`, responders: ['team:NOC', 'user:oncall@example.com', 'Network'] }),
  secrets: () => [KEY],
  successStatus: 202,
  failureStatus: { bad_request: 422 },
  retryAfterMs: 7000,
  assertOpened(req) {
    assert.equal(req.path, '/v2/alerts');
    assert.equal(req.json.alias, ALIAS);
    assert.equal(req.json.priority, 'P2');
    assert.deepEqual(req.json.responders, [{ type: 'team', name: 'NOC' }, { type: 'user', username: 'oncall@example.com' }, { type: 'team', name: 'Network' }]);
  },
  assertResolved(req, opened) {
    assert.equal(req.path, `/v2/alerts/${opened.json.alias}/close`);
    assert.equal(req.query.get('identifierType'), 'alias');
  },
};
