import assert from 'node:assert/strict';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import { checkedSpec, expectEq, expectJsonPost, startHttpFake } from '@breakwater/outbound/testing';

const AUTH = `Basic ${Buffer.from('alerts:am-pass-0123456789').toString('base64')}`;

export const prometheusContract: ChannelContract<'prometheus'> = {
  type: 'prometheus',
  start: () => startHttpFake(checkedSpec({
    check(req) {
      const p = expectJsonPost(req, '/am/api/v2/alerts');
      expectEq(p, 'authorization', req.headers.authorization, AUTH);
      if (!Array.isArray(req.json) || req.json.length === 0) return [...p, 'body: a JSON array of alerts'];
      for (const a of req.json) {
        if (typeof a.labels !== 'object' || Object.values(a.labels).some((v) => typeof v !== 'string')) p.push('labels: string map');
        if (!a.labels?.alertname) p.push('labels.alertname');
        for (const k of Object.keys(a.labels ?? {})) if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) p.push(`label name ${k}`);
        for (const t of ['startsAt', 'endsAt']) if (a[t] !== undefined && Number.isNaN(Date.parse(a[t]))) p.push(`${t}: date-time`);
        if (a.generatorURL !== undefined && !URL.canParse(a.generatorURL)) p.push('generatorURL: uri');
      }
      return p;
    },
    ok: () => ({ status: 200 }),
    failures: { bad_request: () => ({ status: 400, headers: { 'content-type': 'application/json' }, body: '"maxFailures: 1, errors: start time must be before end time"' }) },
  })),
  config: (host) => ({ alertmanager_url: `http://${host}/am`, basic_auth: { username: 'alerts', password: 'am-pass-0123456789' } }),
  secrets: () => ['am-pass-0123456789', AUTH.slice(6)],
  successStatus: 200,
  retryAfterMs: 7000,
  assertOpened(req) {
    const [a] = req.json;
    assert.deepEqual(a.labels, { alertname: 'BreakwaterDDoSAttack', severity: 'high', instance: '203.0.113.5', incident: '3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b', node: 'edge-<1>&"a"', attack_family: 'udp_flood' });
    assert.equal(a.startsAt, '2026-05-04T10:12:01.000Z');
    assert.ok(Date.parse(a.endsAt) > Date.now(), 'a firing alert ends in the future');
    assert.equal(a.generatorURL, 'https://breakwater.example/incidents/3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
  },
  assertResolved(req) {
    const [a] = req.json;
    assert.equal(a.endsAt, '2026-05-04T10:17:40.000Z');
    assert.equal(a.labels.incident, '3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b');
  },
};
