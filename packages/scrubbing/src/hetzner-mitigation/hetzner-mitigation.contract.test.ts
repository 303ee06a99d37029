// The shared scrubbing contract against the local Robot webservice, plus Hetzner's own: our rules
// first and the operator's kept, the firewall turned off again when it was off, the 10-rule limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeScrubbingContract } from '../testing/contract.ts';
import { startRobotFake, type RobotFake } from './testing/robot-fake.ts';
import { createHetznerMitigationProvider } from './index.ts';
import { ScrubbingError } from '../errors.ts';

let robot: RobotFake;
const OPERATOR_RULE = { ip_version: 'ipv4', name: 'office ssh', src_ip: '192.0.2.0/24', dst_port: '22', protocol: 'tcp', action: 'accept' };
const config = () => ({ username: robot.user, password: robot.password, server_ips: ['198.51.100.20', '198.51.100.21', '198.51.100.22'], api_url: robot.url });

describeScrubbingContract({
  type: 'hetzner_mitigation',
  async start() {
    robot = await startRobotFake({ servers: { '198.51.100.20': {}, '198.51.100.21': { status: 'active', input: [OPERATOR_RULE] }, '198.51.100.22': { status: 'active', input: Array.from({ length: 6 }, (_, i) => ({ ...OPERATOR_RULE, name: `r${i}` })) } } });
    return {
      fake: robot,
      factory: createHetznerMitigationProvider,
      config,
      target: '198.51.100.20',
      covered: '198.51.100.20',
      uncovered: '198.51.100.99',
      unknownTarget: '198.51.100.99',
      badCredentials: { password: 'not-the-password-0123456789' },
      badConfig: [
        { config: { server_ips: ['198.51.100.0/24'] }, key: 'config.server_ips' },
        { config: { allow_tcp_ports: [0] }, key: 'config.allow_tcp_ports' },
        { config: { allow_tcp_ports: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, key: 'config.allow_tcp_ports' },
        { config: { username: undefined }, key: 'config.username' },
      ],
      secrets: [robot.password],
      diverted: () => robot.firewall('198.51.100.20').input.some((r) => r.name?.startsWith('bw-scrub')),
      rateLimited: () => robot.rateLimited(0),
      rateLimitSaysWhen: false,
      stop: () => robot.stop(),
    };
  },
  extraTests(inst, deps) {
    test('hetzner: our rules go first, the operator\'s stay below and come back alone; the firewall stays active', async () => {
      const p = createHetznerMitigationProvider({ ...config(), allow_tcp_ports: [443] }, deps());
      robot.received.length = 0;
      const on = await p.enable('198.51.100.21', 'flood', 'k1');
      assert.equal(on.state, 'propagating');
      const post = robot.received.find((r) => r.method === 'POST')!;
      const form = new URLSearchParams(post.body);
      assert.equal(form.get('status'), 'active');
      assert.equal(form.get('rules[input][0][dst_port]'), '443');
      assert.equal(form.get('rules[input][0][dst_ip]'), '198.51.100.21/32');
      assert.equal(form.get('rules[input][1][tcp_flags]'), 'ack');
      assert.equal(form.get('rules[input][2][action]'), 'discard');
      assert.equal(form.get('rules[input][3][name]'), 'office ssh');
      assert.equal(form.get('rules[output][0][action]'), 'accept', 'output rules kept');
      inst().fake.clock.advance(30_000);
      assert.equal((await p.status('198.51.100.21')).state, 'diverting');
      await p.disable('198.51.100.21', 'k2');
      inst().fake.clock.advance(30_000);
      const fw = robot.firewall('198.51.100.21');
      assert.equal(fw.status, 'active');
      assert.deepEqual(fw.input.map((r) => r.name), ['office ssh']);
    });

    test('hetzner: a firewall that was off is turned off again on disable, even by a provider made after a restart', async () => {
      await createHetznerMitigationProvider(config(), deps()).enable('198.51.100.20', 'flood', 'k1');
      inst().fake.clock.advance(30_000);
      assert.equal(robot.firewall('198.51.100.20').status, 'active');
      await createHetznerMitigationProvider(config(), deps()).disable('198.51.100.20', 'k2');
      inst().fake.clock.advance(30_000);
      assert.equal(robot.firewall('198.51.100.20').status, 'disabled');
      assert.deepEqual(robot.firewall('198.51.100.20').input, []);
    });

    test('hetzner: with server_numbers the firewall is named by the server number, as Robot now asks', async () => {
      const p = createHetznerMitigationProvider({ ...config(), server_numbers: { '198.51.100.21': robot.numberOf('198.51.100.21') } }, deps());
      robot.received.length = 0;
      assert.equal((await p.status('198.51.100.21')).state, 'idle');
      assert.equal(robot.received[0]!.path, `/firewall/${robot.numberOf('198.51.100.21')}`);
      assert.throws(() => createHetznerMitigationProvider({ ...config(), server_numbers: { '192.0.2.1': 5 } }, deps()), /^ScrubbingError: config\.server_numbers\.192\.0\.2\.1:/);
    });

    test('hetzner: more than 10 input rules in all is refused before any change', async () => {
      const p = createHetznerMitigationProvider(config(), deps());
      await assert.rejects(p.enable('198.51.100.22', 'flood', 'k'), (e: unknown) => e instanceof ScrubbingError && e.kind === 'refused' && /Robot allows 10/.test(e.message));
      assert.equal(robot.firewall('198.51.100.22').input.length, 6);
    });

    test('hetzner: a change while Robot is still applying the last one is a retryable error', async () => {
      const p = createHetznerMitigationProvider(config(), deps());
      await p.enable('198.51.100.20', 'flood', 'k1');
      const err = await p.disable('198.51.100.20', 'k2').then(() => null, (e: unknown) => e);
      assert.ok(err instanceof ScrubbingError && err.retryable && err.status === 409, String(err));
      inst().fake.clock.advance(30_000);
      await p.disable('198.51.100.20', 'k2');
      inst().fake.clock.advance(30_000);
      assert.equal((await p.status('198.51.100.20')).state, 'idle');
    });
  },
});
