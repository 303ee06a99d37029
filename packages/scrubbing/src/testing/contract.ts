// The one contract every scrubbing provider runs, against its local stand-in for the provider's API
// (a fake built on fake-server.ts that checks every request as the provider documents it). What the
// provider really has is read from the fake (`diverted()`), never through the provider itself, so a
// provider that only pretends fails here. Time is the fake's clock, shared with the provider.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DIVERSION_STATES, SCRUBBING_MECHANISMS, ScrubbingCapabilities, ScrubbingStatus, ScrubbingTestResult, type DiversionState, type ScrubbingType } from '@breakwater/contracts';
import { Value } from 'typebox/value';
import { ScrubbingError } from '../errors.ts';
import type { ScrubbingDeps, ScrubbingFactory, ScrubbingProvider } from '../provider.ts';
import type { FakeReply, ProviderFake } from './fake-server.ts';

export interface ScrubbingContractInstance {
  fake: ProviderFake;
  /** The type's factory (the registry's entry) and the working config it is given. */
  factory: ScrubbingFactory;
  config(): Record<string, unknown>;
  /** A target the config names, and an attacked address it covers; an address no target covers. */
  target: string;
  covered: string;
  uncovered: string;
  /** A target of the right kind that the config does not name. */
  unknownTarget: string;
  /** Config keys that make the provider refuse the credential (e.g. { api_token: 'wrong…' }). */
  badCredentials: Record<string, unknown>;
  /** Configs the factory must refuse, with the key the message must start with. */
  badConfig: { config: Record<string, unknown>; key: string }[];
  /** Every credential in the working config: none may appear in an error, a status or a log. */
  secrets: string[];
  /** Whether the provider (the fake's state, not the provider under test) has `target` on. */
  diverted(): boolean;
  /** The provider's documented rate-limit reply, saying to come back in `retryAfterS` where it can. */
  rateLimited(retryAfterS: number): FakeReply;
  /** Whether that reply says when to come back; when it does not, one is never waited out. */
  rateLimitSaysWhen: boolean;
  stop(): Promise<void>;
}

export interface ScrubbingContractHarness {
  type: ScrubbingType;
  start(): Promise<ScrubbingContractInstance>;
  /** More tests for this provider, run on the same instance after the contract's. */
  extraTests?: (instance: () => ScrubbingContractInstance, deps: () => ScrubbingDeps) => void;
}

const ON_THE_WAY: readonly DiversionState[] = ['requested', 'propagating', 'diverting'];
const ON_THE_WAY_BACK: readonly DiversionState[] = ['withdrawing', 'idle'];

/** The forms a secret could leak in: as is, URL-encoded, base64 (a Basic header). */
function leakForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')].filter((s) => s.length >= 6);
}

export function describeScrubbingContract(h: ScrubbingContractHarness): void {
  describe(`scrubbing contract: ${h.type}`, () => {
    let inst: ScrubbingContractInstance;
    const logs: unknown[] = [];
    const shown: string[] = [];
    const waits: number[] = [];
    const deps = (over: Partial<ScrubbingDeps> = {}): ScrubbingDeps => ({
      now: () => inst.fake.clock.now(),
      fetch: undefined,
      timeoutMs: 2000,
      reach: ['loopback'],
      maxRetryAfterMs: 10_000,
      maxRetries: 2,
      sleep: async (ms) => { waits.push(ms); },
      log: (msg, detail) => { logs.push({ msg, detail }); },
      ...over,
    });
    /** A provider on the working config with `over`'s top-level keys replaced. */
    const make = (over: Record<string, unknown> = {}, d: Partial<ScrubbingDeps> = {}) => inst.factory({ ...inst.config(), ...over }, deps(d));

    async function rejects(p: Promise<unknown>): Promise<ScrubbingError> {
      try { await p; } catch (err) {
        assert.ok(err instanceof ScrubbingError, `a ScrubbingError, got ${String(err)}`);
        shown.push(err.message);
        return err;
      }
      assert.fail('expected a ScrubbingError');
    }
    /** Every status must be the API's shape (the server hands it on as it is). */
    const seen = (s: ScrubbingStatus) => {
      shown.push(JSON.stringify(s));
      assert.ok(Value.Check(ScrubbingStatus, s), `a ScrubbingStatus: ${JSON.stringify(s)}`);
      return s;
    };

    /** Status until it is `want`, moving the shared clock past the documented windows; every state on the way must be in `path`. */
    async function until(p: ScrubbingProvider, want: DiversionState, path: readonly DiversionState[], stepMs: number): Promise<DiversionState[]> {
      const states: DiversionState[] = [];
      for (let i = 0; i < 8; i++) {
        const s = seen(await p.status(inst.target));
        assert.ok(DIVERSION_STATES.includes(s.state), `state ${s.state}`);
        assert.equal(s.target, inst.target);
        if (states.at(-1) !== s.state) states.push(s.state);
        if (s.state === want) return states;
        assert.ok(path.includes(s.state), `on the way to ${want}, ${s.state} is not among ${path.join(', ')}`);
        if (s.settles_at) assert.ok(Date.parse(s.settles_at) > inst.fake.clock.now(), 'settles_at is ahead while not settled');
        inst.fake.clock.advance(stepMs);
      }
      assert.fail(`never reached ${want}: ${states.join(' → ')}`);
    }
    const stepOf = (seconds: number) => Math.max(seconds * 1000, 60_000) + 1000;

    before(async () => { inst = await h.start(); });
    after(async () => {
      await inst.stop();
    });
    afterEach(() => {
      inst.fake.mode = 'ok';
      assert.deepEqual(inst.fake.problems, [], 'every request was one the provider documents');
      assert.equal(inst.fake.scripted(), 0, 'every scripted reply was used');
      waits.length = 0;
    });

    test('capabilities say what enable does, how long the provider takes, and where it is documented', () => {
      const p = make();
      assert.equal(p.type, h.type);
      const c = p.capabilities;
      assert.ok(Value.Check(ScrubbingCapabilities, c), 'the API\'s capabilities shape');
      assert.ok(SCRUBBING_MECHANISMS.includes(c.mechanism));
      assert.ok(c.action.length > 20, 'action says what happens at the provider');
      if (!c.diverts) assert.notEqual(c.mechanism, 'bgp_advertisement');
      assert.ok(Number.isInteger(c.advertise_seconds) && c.advertise_seconds >= 0);
      assert.ok(Number.isInteger(c.withdraw_seconds) && c.withdraw_seconds >= 0);
      assert.ok(c.docs.length > 0 && c.docs.every((d) => d.startsWith('https://')), 'documentation links');
    });

    test('targetFor and targets answer from the config alone', () => {
      const before = inst.fake.received.length;
      const p = make();
      assert.equal(p.targetFor(inst.covered), inst.target);
      assert.equal(p.targetFor(inst.target), inst.target, 'a target maps to itself (the API takes a target or an attacked address)');
      assert.equal(p.targetFor(inst.uncovered), null);
      assert.equal(p.targetFor('not an address'), null);
      assert.ok(p.targets().includes(inst.target));
      assert.equal(inst.fake.received.length, before, 'no request');
    });

    test('a bad config is refused naming the key, never echoing a secret', async () => {
      for (const { config, key } of inst.badConfig) {
        const err = await rejects(Promise.resolve().then(() => make(config)));
        assert.equal(err.kind, 'config', err.message);
        assert.ok(err.message.startsWith(`${key}:`), `${err.message} names ${key}`);
        assert.equal(err.retryable, false);
      }
      for (const bad of [null, [], 'x']) {
        const err = await rejects(Promise.resolve().then(() => inst.factory(bad, deps())));
        assert.equal(err.kind, 'config');
      }
    });

    test('enable → the documented intermediate states → diverting; disable → withdrawing → idle', async () => {
      const p = make();
      assert.equal(seen(await p.status(inst.target)).state, 'idle');
      assert.equal(inst.diverted(), false);
      const on = seen(await p.enable(inst.target, 'contract: flood above the scrubbing tier', 'contract-enable-1'));
      assert.ok(ON_THE_WAY.includes(on.state), `enable answered ${on.state}`);
      assert.equal(inst.diverted(), true, 'the provider has it on');
      const there = await until(p, 'diverting', ON_THE_WAY, stepOf(p.capabilities.advertise_seconds));
      const order = there.map((s) => ON_THE_WAY.indexOf(s));
      assert.deepEqual(order, [...order].sort(), `states move forward only: ${there.join(' → ')}`);
      const off = seen(await p.disable(inst.target, 'contract-disable-1'));
      assert.ok(ON_THE_WAY_BACK.includes(off.state), `disable answered ${off.state}`);
      assert.equal(inst.diverted(), false, 'the provider has it off');
      await until(p, 'idle', ON_THE_WAY_BACK, stepOf(p.capabilities.withdraw_seconds));
    });

    test('enable and disable are idempotent', async () => {
      const p = make();
      await p.enable(inst.target, 'contract', 'contract-idem-1');
      await until(p, 'diverting', ON_THE_WAY, stepOf(p.capabilities.advertise_seconds));
      const again = seen(await p.enable(inst.target, 'contract', 'contract-idem-1'));
      assert.equal(again.state, 'diverting', 'enabling what is on leaves it on');
      assert.equal(inst.diverted(), true);
      await p.disable(inst.target, 'contract-idem-2');
      const twice = seen(await p.disable(inst.target, 'contract-idem-2'));
      assert.ok(ON_THE_WAY_BACK.includes(twice.state));
      assert.equal(inst.diverted(), false);
      await until(p, 'idle', ON_THE_WAY_BACK, stepOf(p.capabilities.withdraw_seconds));
      const never = seen(await make().disable(inst.target, 'contract-idem-3'));
      assert.ok(ON_THE_WAY_BACK.includes(never.state), 'disabling what is off succeeds');
    });

    test('after a restart mid-diversion a new provider reads the diversion back and can withdraw it', async () => {
      await make().enable(inst.target, 'contract: before the restart', 'contract-restart-1');
      const fresh = make();
      await until(fresh, 'diverting', ON_THE_WAY, stepOf(fresh.capabilities.advertise_seconds));
      await fresh.disable(inst.target, 'contract-restart-2');
      assert.equal(inst.diverted(), false);
      await until(fresh, 'idle', ON_THE_WAY_BACK, stepOf(fresh.capabilities.withdraw_seconds));
    });

    test('a target the config does not name is refused before any request', async () => {
      const before = inst.fake.received.length;
      const err = await rejects(make().enable(inst.unknownTarget, 'contract', 'contract-unknown'));
      assert.equal(err.kind, 'config');
      assert.equal(err.key, 'target');
      assert.equal(inst.fake.received.length, before);
    });

    test('test() passes with the working credentials, with a latency', async () => {
      const t = await make().test();
      assert.ok(Value.Check(ScrubbingTestResult, t));
      assert.equal(t.ok, true, t.error?.message);
      assert.equal(t.health, 'ok');
      assert.ok(t.latency_ms >= 0);
      assert.equal(t.error, undefined);
    });

    test('test() with bad credentials says auth_failed without throwing or echoing them', async () => {
      const t = await make(inst.badCredentials).test();
      shown.push(JSON.stringify(t));
      assert.ok(Value.Check(ScrubbingTestResult, t));
      assert.equal(t.ok, false);
      assert.equal(t.health, 'auth_failed', t.error?.message);
      assert.equal(t.error?.code, 'scrubbing_auth');
      for (const v of Object.values(inst.badCredentials)) if (typeof v === 'string') assert.ok(!JSON.stringify(t).includes(v));
      const err = await rejects(make(inst.badCredentials).status(inst.target));
      assert.equal(err.kind, 'auth');
      assert.equal(err.retryable, false);
      inst.fake.problems.length = 0; // the fake noted the wrong credential, as it should
    });

    test('a rate limit within the bound is waited out as the provider said; beyond it, rate_limited with when', async () => {
      const p = make();
      inst.fake.script(inst.rateLimited(3));
      if (inst.rateLimitSaysWhen) {
        assert.equal((await p.status(inst.target)).state, 'idle');
        assert.deepEqual(waits, [3000], 'waited Retry-After, once');
      } else {
        const err = await rejects(p.status(inst.target));
        assert.equal(err.kind, 'rate_limited');
        assert.ok((err.retryAfterMs ?? 0) > 0);
        assert.deepEqual(waits, []);
      }
      waits.length = 0;
      inst.fake.script(inst.rateLimited(600));
      const long = await rejects(p.enable(inst.target, 'contract', 'contract-429'));
      assert.equal(long.kind, 'rate_limited');
      assert.equal(long.retryable, true);
      if (inst.rateLimitSaysWhen) assert.equal(long.retryAfterMs, 600_000);
      assert.deepEqual(waits, [], 'never waits past the bound');
      assert.equal(inst.diverted(), false, 'nothing happened');
      if (inst.rateLimitSaysWhen) {
        inst.fake.script(inst.rateLimited(1), inst.rateLimited(1), inst.rateLimited(1));
        const again = await rejects(p.status(inst.target));
        assert.equal(again.kind, 'rate_limited');
        assert.deepEqual(waits, [1000, 1000], 'at most maxRetries waits per request');
      }
    });

    test('no reply within the deadline is a retryable timeout; test() says unreachable', async () => {
      const p = make({}, { timeoutMs: 200 });
      inst.fake.mode = 'hang';
      const err = await rejects(p.status(inst.target));
      assert.equal(err.kind, 'timeout');
      assert.equal(err.retryable, true);
      const t = await p.test();
      assert.equal(t.ok, false);
      assert.equal(t.health, 'unreachable');
    });

    test('a 5xx is a retryable provider error carrying the status, never the body', async () => {
      const p = make();
      inst.fake.mode = 'server_error';
      const err = await rejects(p.enable(inst.target, 'contract', 'contract-5xx'));
      assert.equal(err.kind, 'provider');
      assert.equal(err.retryable, true);
      assert.match(err.message, /HTTP 5\d\d/);
      assert.ok(!err.message.includes('headers'), 'the echoed request is not shown');
      const t = await p.test();
      assert.equal(t.health, 'error');
    });

    test('a refused credential mid-run is a permanent auth error', async () => {
      inst.fake.mode = 'unauthorized';
      const err = await rejects(make().status(inst.target));
      assert.equal(err.kind, 'auth');
      assert.equal(err.retryable, false);
    });

    test('the provider gone is unreachable; back again, the provider recovers', async () => {
      const p = make();
      await inst.fake.kill();
      const err = await rejects(p.status(inst.target));
      assert.equal(err.kind, 'unreachable');
      await inst.fake.restart();
      assert.equal((await p.status(inst.target)).state, 'idle');
    });

    h.extraTests?.(() => inst, () => deps());

    test('no secret appears in any error, status, test result or log line of this suite', () => {
      const text = `${shown.join('\n')}\n${JSON.stringify(logs)}`;
      assert.ok(shown.length > 10 && logs.length > 10, 'the suite produced errors and logs to check');
      for (const secret of inst.secrets) for (const form of leakForms(secret)) assert.ok(!text.includes(form), `a secret leaked (${secret.slice(0, 3)}…)`);
    });
  });
}
