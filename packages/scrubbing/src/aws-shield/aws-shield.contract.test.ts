// The shared scrubbing contract, against the local Shield Advanced + WAFv2 endpoint (which checks
// every SigV4 signature by recomputing it), and what is AWS's own: proactive engagement, the WAF
// rate-based rule beside the operator's rules, an operator's protection left alone, clock skew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScrubbingError } from '../errors.ts';
import { describeScrubbingContract } from '../testing/contract.ts';
import { manualClock } from '../testing/fake-server.ts';
import { createAwsShieldProvider } from './index.ts';
import { awsThrottled, startAwsFake, type AwsFake } from './testing/fake.ts';

const EIP = 'arn:aws:ec2:eu-west-1:123456789012:eip-allocation/eipalloc-0123456789abcdef0';
const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';

let fake: AwsFake;
const config = (over: Record<string, unknown> = {}) => ({
  access_key_id: fake.accessKeyId, secret_access_key: fake.secretAccessKey, ...(fake.sessionToken ? { session_token: fake.sessionToken } : {}),
  resources: [{ arn: EIP, addresses: ['203.0.113.40'] }, { arn: ALB, addresses: ['198.51.100.0/26'] }],
  api_url: fake.url, ...over,
});

describeScrubbingContract({
  type: 'aws_shield',
  async start() {
    fake = await startAwsFake({ clock: manualClock(), sessionToken: true });
    return {
      fake,
      factory: createAwsShieldProvider,
      config: () => config(),
      target: EIP,
      covered: '203.0.113.40',
      uncovered: '203.0.113.41',
      unknownTarget: 'arn:aws:ec2:eu-west-1:123456789012:eip-allocation/eipalloc-00000000000000000',
      badCredentials: { secret_access_key: 'not-the-secret-access-key-0000000000000000' },
      badConfig: [
        { config: { access_key_id: 'lower-case' }, key: 'config.access_key_id' },
        { config: { resources: [{ arn: 'not-an-arn', addresses: ['203.0.113.40'] }] }, key: 'config.resources' },
        { config: { web_acl: { name: 'x', id: 'nope' } }, key: 'config.web_acl.id' },
        { config: { secret_access_key: '' }, key: 'config.secret_access_key' },
      ],
      secrets: [fake.secretAccessKey, fake.sessionToken!],
      diverted: () => fake.protections.get(EIP)?.Name.startsWith('breakwater-') ?? false,
      rateLimited: () => awsThrottled(),
      rateLimitSaysWhen: false,
      stop: () => fake.stop(),
    };
  },
  extraTests(instance, depsOf) {
    const make = (over: Record<string, unknown> = {}) => createAwsShieldProvider(config(over), depsOf());
    const withAcl = (over: Record<string, unknown> = {}) => make({ proactive_engagement: true, web_acl: { name: fake.webAcl.Name, id: fake.webAcl.Id, scope: 'REGIONAL', region: 'eu-west-1', rate_limit: 2000, api_url: fake.url }, ...over });

    test('aws: CreateProtection carries our name and the reason as a tag; proactive engagement and the WAF rule come and go with it', async () => {
      const p = withAcl();
      const on = await p.enable(ALB, 'udp flood: 3 Gbps towards 198.51.100.7', 'k1');
      assert.equal(on.state, 'diverting');
      const prot = fake.protections.get(ALB)!;
      assert.match(prot.Name, /^breakwater-[0-9a-f]{16}$/);
      assert.deepEqual(prot.Tags, [{ Key: 'breakwater:reason', Value: 'udp flood: 3 Gbps towards 198.51.100.7' }]);
      assert.equal(fake.subscription.proactive, 'ENABLED');
      const ours = fake.webAcl.Rules.find((r) => String(r.Name).startsWith('breakwater-rate-'))!;
      assert.deepEqual(ours.Statement, { RateBasedStatement: { Limit: 2000, EvaluationWindowSec: 300, AggregateKeyType: 'IP' } });
      assert.deepEqual(ours.Action, { Block: {} });
      assert.equal(ours.Priority, 4, 'ahead of the operator rule at 5');
      assert.equal(fake.webAcl.Rules.length, 2, 'the operator rule kept');
      assert.ok(fake.ops().includes('AWSWAF_20190729.UpdateWebACL'));

      const before = fake.ops().length;
      assert.equal((await p.enable(ALB, 'again', 'k1')).state, 'diverting');
      assert.ok(!fake.ops().slice(before).some((o) => /Create|Update|Enable/.test(o)), 'enabling what is on writes nothing');

      const off = await p.disable(ALB, 'k2');
      assert.equal(off.state, 'idle');
      assert.equal(fake.protections.has(ALB), false);
      assert.deepEqual(fake.webAcl.Rules.map((r) => r.Name), ['operator-geo']);
      assert.equal(fake.subscription.proactive, 'DISABLED', 'no other Breakwater protection left');
    });

    test('aws: proactive engagement stays on while another Breakwater protection remains', async () => {
      const p = withAcl();
      await p.enable(ALB, 'a', 'k');
      await p.enable(EIP, 'b', 'k');
      await p.disable(ALB, 'k');
      assert.equal(fake.subscription.proactive, 'ENABLED');
      await p.disable(EIP, 'k');
      assert.equal(fake.subscription.proactive, 'DISABLED');
    });

    test('aws: an operator\'s own protection reads as idle and is never deleted', async () => {
      fake.protections.set(EIP, { Id: '11111111-2222-3333-4444-555555555555', Name: 'ops-eip', ResourceArn: EIP, ProtectionArn: 'arn:aws:shield::1:protection/x', Tags: [] });
      const p = make();
      const s = await p.status(EIP);
      assert.equal(s.state, 'idle');
      assert.match(s.detail, /did not create/);
      await p.disable(EIP, 'k');
      assert.equal(fake.protections.get(EIP)?.Name, 'ops-eip');
      fake.protections.delete(EIP);
    });

    test('aws: no emergency contacts → a config error naming proactive_engagement', async () => {
      fake.subscription.emergencyContacts = false;
      const err = await withAcl().enable(ALB, 'x', 'k').then(() => null, (e: unknown) => e);
      fake.subscription.emergencyContacts = true;
      assert.ok(err instanceof ScrubbingError);
      assert.equal(err.kind, 'config');
      assert.equal(err.key, 'config.proactive_engagement');
      await withAcl().disable(ALB, 'k');
    });

    test('aws: a web ACL changed by someone else between read and write is read again (WAFOptimisticLockException)', async () => {
      const p = withAcl({ proactive_engagement: false });
      fake.raceNextUpdate = true;
      const from = fake.ops().length;
      assert.equal((await p.enable(EIP, 'x', 'k')).state, 'diverting');
      const ops = fake.ops().slice(from).filter((o) => o.startsWith('AWSWAF'));
      assert.deepEqual(ops.slice(0, 4), ['AWSWAF_20190729.GetWebACL', 'AWSWAF_20190729.UpdateWebACL', 'AWSWAF_20190729.GetWebACL', 'AWSWAF_20190729.UpdateWebACL']);
      assert.equal(fake.webAcl.Rules.filter((r) => String(r.Name).startsWith('breakwater-rate-')).length, 1);
      await p.disable(EIP, 'k');
    });

    test('aws: a provider clock 10 minutes off is refused by AWS (Signature expired) as auth, naming no secret', async () => {
      const skewed = createAwsShieldProvider(config(), { ...depsOf(), now: () => instance().fake.clock.now() - 10 * 60_000 });
      const err = await skewed.status(EIP).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof ScrubbingError);
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /InvalidSignatureException: Signature expired/);
      assert.ok(!err.message.includes(fake.secretAccessKey));
      fake.problems.length = 0; // the fake noted the stale signature, as it should
    });

    test('aws: the session token is signed and checked', async () => {
      const err = await make({ session_token: 'not-the-session-token-000000' }).status(EIP).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof ScrubbingError);
      assert.equal(err.kind, 'auth');
      assert.ok(fake.problems.some((p) => /session token/.test(p)));
      fake.problems.length = 0;
    });

    test('aws: test() says so when the account has no Shield Advanced subscription', async () => {
      fake.subscription.exists = false;
      const t = await make().test();
      fake.subscription.exists = true;
      assert.equal(t.ok, false);
      assert.match(t.error!.message, /no Shield Advanced subscription/);
    });
  },
});
