// The one contract every MitigationAdapter runs: BGP speakers against real upstream peers (BIRD 2,
// and a second peer of another implementation where the harness has one), HTTP adapters against a
// local stand-in for their provider. What the "upstream" sees is read through observe(), never
// through the adapter itself, so an adapter that only pretends fails here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capability, FlowspecAction, RuleSpec } from '@breakwater/contracts';
import { AdapterError, type AdapterConfig, type AnnouncedRule, type MitigationAdapter } from '../adapter.ts';
import { ruleKey } from '../rule-key.ts';

/** An upstream peer (the upstream itself or a second one), read back as ruleKeys. */
export interface PeerObserver {
  /** How failures name it ("the second (GoBGP) peer"). */
  name: string;
  observe(): Promise<Set<string>>;
  communities?(key: string): Promise<string[] | null>;
  flowAction?(key: string): Promise<FlowspecAction | null>;
}

export interface ContractInstance {
  /** The adapter under test, already start()ed against the live speaker or provider. */
  adapter: MitigationAdapter;
  /** What the upstream (the peer router, the provider's API) holds now, as ruleKey()s. */
  observe(): Promise<Set<string>>;
  /** Communities the upstream sees on a blackhole route ("65535:666"); omit when it has none. */
  communities?(key: string): Promise<string[] | null>;
  /** The action the upstream sees on a FlowSpec route; omit when it cannot tell. */
  flowAction?(key: string): Promise<FlowspecAction | null>;
  /** A second upstream peer of another implementation: announcements and withdrawals must reach it too. */
  secondPeer?: PeerObserver;
  /** A new, not yet started adapter with the working config changed by `over` (for bad options, dead endpoints). */
  makeAdapter(over: Partial<AdapterConfig>): MitigationAdapter;
  /** An endpoint nothing answers on. */
  deadEndpoint: string;
  /** Options that start() must refuse, with the key its message must name. */
  badOptions: { options: Record<string, unknown>; key: string }[];
  /** Stop the speaker/provider so calls fail, and bring it back (the adapter must recover). */
  killSpeaker(): Promise<void>;
  restartSpeaker(): Promise<void>;
  stop(): Promise<void>;
}

export interface ContractHarness {
  name: string;
  capabilities: readonly Capability[];
  start(): Promise<ContractInstance>;
  /** How long the upstream may take to show a change, ms (default 10 000). */
  settleMs?: number;
  /** Run the IPv6 variants too (default true). */
  ipv6?: boolean;
  /** More tests for this implementation, run while the same instance is up (after the contract's). */
  extraTests?: (instance: () => ContractInstance) => void;
}

const id = (n: string) => `contract-${n}`;

export const blackholeRule = (prefix = '198.18.7.1/32'): AnnouncedRule => ({
  id: id(`bh-${prefix}`),
  spec: { kind: 'blackhole', prefix, next_hop: null, communities: ['65535:666', '65535:65281'] },
});

/** Every RFC 8955 component the contracts know, in one rule. */
export const richFlowRule = (): AnnouncedRule => ({
  id: id('fs-rich'),
  spec: {
    kind: 'flowspec',
    match: {
      destination: '198.18.9.0/24',
      source: '203.0.113.0/24',
      protocols: [17],
      destination_ports: [{ from: 53, to: 53 }, { from: 123, to: 123 }],
      source_ports: [{ from: 1024, to: 65535 }],
      packet_length: [{ from: 500, to: 1500 }],
      fragment: ['is-fragment'],
    },
    action: { type: 'discard' },
  },
});

export const tcpFlowRule = (): AnnouncedRule => ({
  id: id('fs-tcp'),
  spec: {
    kind: 'flowspec',
    match: { destination: '198.18.10.5/32', protocols: [6], destination_ports: [{ from: 80, to: 80 }], tcp_flags: ['syn'] },
    action: { type: 'rate-limit', bytes_per_second: 125000 },
  },
});

export const v6FlowRule = (): AnnouncedRule => ({
  id: id('fs-v6'),
  spec: {
    kind: 'flowspec',
    match: { destination: '2001:db8:5::/48', protocols: [17], source_ports: [{ from: 123, to: 123 }] },
    action: { type: 'discard' },
  },
});

async function until<T>(what: string, ms: number, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rejectsWithAdapterError(p: () => Promise<unknown>, what: string): Promise<AdapterError> {
  try {
    await p();
  } catch (err) {
    assert.ok(err instanceof AdapterError, `${what}: expected AdapterError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${what}: resolved, expected an AdapterError`);
}

/** Defines the contract tests in a describe() block; call at the top level of a test file. */
export function describeAdapterContract(h: ContractHarness): void {
  const settle = h.settleMs ?? 10_000;
  const can = (c: Capability) => h.capabilities.includes(c);
  describe(`${h.name}: MitigationAdapter contract`, () => {
    let inst: ContractInstance;
    const seen = (key: string) => until(`${key} at the upstream`, settle, async () => (await inst.observe()).has(key));
    const gone = (key: string) => until(`${key} gone from the upstream`, settle, async () => !(await inst.observe()).has(key));
    // Every upstream peer: the upstream itself and the second peer when there is one.
    const peers = (): PeerObserver[] => [
      { name: 'the upstream', observe: () => inst.observe(), communities: inst.communities?.bind(inst), flowAction: inst.flowAction?.bind(inst) },
      ...(inst.secondPeer ? [inst.secondPeer] : []),
    ];
    const seenByAll = async (key: string) => {
      await Promise.all(peers().map((p) => until(`${key} at ${p.name}`, settle, async () => (await p.observe()).has(key))));
    };
    const goneFromAll = async (key: string) => {
      await Promise.all(peers().map((p) => until(`${key} gone from ${p.name}`, settle, async () => !(await p.observe()).has(key))));
    };
    const assertCommunities = async (key: string) => {
      for (const p of peers()) {
        if (!p.communities) continue;
        const cs = await p.communities(key);
        assert.ok(cs, `${p.name} shows communities`);
        assert.ok(cs.includes('65535:666'), `BLACKHOLE community at ${p.name} in ${cs.join(' ')}`);
        assert.ok(cs.includes('65535:65281'), `NO_EXPORT community at ${p.name} in ${cs.join(' ')}`);
      }
    };
    const assertFlowAction = async (rule: AnnouncedRule) => {
      for (const p of peers()) {
        if (p.flowAction) assert.deepEqual(await p.flowAction(ruleKey(rule.spec)), rule.spec.kind === 'flowspec' ? rule.spec.action : null, `the action at ${p.name}`);
      }
    };

    before(async () => { inst = await h.start(); });
    after(async () => { await inst?.stop(); });

    test('declares capabilities matching the harness', () => {
      assert.deepEqual([...inst.adapter.capabilities].sort(), [...h.capabilities].sort());
    });

    test('test() reports ok with a latency', async () => {
      const r = await inst.adapter.test();
      assert.equal(r.ok, true, r.message);
      assert.ok(Number.isFinite(r.latency_ms) && r.latency_ms >= 0, `latency ${r.latency_ms}`);
    });

    test('test() against a dead endpoint reports ok=false without throwing', async () => {
      const dead = inst.makeAdapter({ endpoint: inst.deadEndpoint });
      try {
        try { await dead.start(); } catch (err) { assert.ok(err instanceof AdapterError, String(err)); }
        const r = await dead.test();
        assert.equal(r.ok, false);
        assert.ok(r.message.length > 0, 'a reason is given');
      } finally { await dead.stop(); }
    });

    test('bad options are refused by start() with a message naming the key', async () => {
      assert.ok(inst.badOptions.length > 0, 'the harness lists at least one bad option');
      for (const bad of inst.badOptions) {
        const a = inst.makeAdapter({ options: bad.options });
        try {
          const err = await rejectsWithAdapterError(() => a.start(), `options ${JSON.stringify(bad.options)}`);
          assert.ok(err.message.includes(bad.key), `"${err.message}" names ${bad.key}`);
          assert.equal(err.retryable, false);
          assert.equal(err.key, bad.key, 'the error carries the key it is about');
        } finally { await a.stop(); }
      }
    });

    if (can('blackhole')) {
      test('blackhole: announce reaches every upstream peer with its communities; withdraw removes it', async () => {
        const rule = blackholeRule();
        const key = ruleKey(rule.spec);
        await inst.adapter.announce(rule);
        await seenByAll(key);
        await assertCommunities(key);
        const present = await inst.adapter.present();
        if (present !== null) assert.ok(present.has(key), `present() ${[...present].join(' ')} has ${key}`);
        await inst.adapter.withdraw(rule);
        await goneFromAll(key);
        const after = await inst.adapter.present();
        if (after !== null) assert.ok(!after.has(key), 'present() forgets the withdrawn rule');
      });

      test('blackhole: announcing twice is idempotent, one withdraw removes it', async () => {
        const rule = blackholeRule('198.18.7.2/32');
        const key = ruleKey(rule.spec);
        await inst.adapter.announce(rule);
        await inst.adapter.announce(rule);
        await seenByAll(key);
        await inst.adapter.withdraw(rule);
        await goneFromAll(key);
      });

      test('blackhole: withdrawing what is absent succeeds', async () => {
        await inst.adapter.withdraw(blackholeRule('198.18.7.99/32'));
        await inst.adapter.withdraw(blackholeRule('198.18.7.99/32'));
      });

      if (h.ipv6 !== false) {
        test('blackhole: an IPv6 prefix', async () => {
          const rule = blackholeRule('2001:db8:7::1/128');
          const key = ruleKey(rule.spec);
          await inst.adapter.announce(rule);
          await seenByAll(key);
          await inst.adapter.withdraw(rule);
          await goneFromAll(key);
        });
      }
    }

    if (can('flowspec')) {
      test('flowspec: every component and the action reach every upstream peer; withdraw removes it', async () => {
        const rule = richFlowRule();
        const key = ruleKey(rule.spec);
        await inst.adapter.announce(rule);
        await seenByAll(key);
        await assertFlowAction(rule);
        const present = await inst.adapter.present();
        if (present !== null) assert.ok(present.has(key), `present() ${[...present].join(' ')} has ${key}`);
        await inst.adapter.withdraw(rule);
        await goneFromAll(key);
      });

      test('flowspec: tcp flags with a rate limit; announcing twice is idempotent', async () => {
        const rule = tcpFlowRule();
        const key = ruleKey(rule.spec);
        await inst.adapter.announce(rule);
        await inst.adapter.announce(rule);
        await seenByAll(key);
        await assertFlowAction(rule);
        await inst.adapter.withdraw(rule);
        await goneFromAll(key);
        await inst.adapter.withdraw(rule);
      });

      if (h.ipv6 !== false) {
        test('flowspec: an IPv6 rule', async () => {
          const rule = v6FlowRule();
          const key = ruleKey(rule.spec);
          await inst.adapter.announce(rule);
          await seenByAll(key);
          await inst.adapter.withdraw(rule);
          await goneFromAll(key);
        });
      }
    }

    test('present() agrees with what was announced', async () => {
      const rules: AnnouncedRule[] = [];
      if (can('blackhole')) rules.push(blackholeRule('198.18.7.3/32'));
      if (can('flowspec')) rules.push(tcpFlowRule());
      if (can('scrubbing')) rules.push({ id: id('scrub'), spec: { kind: 'scrubbing', prefix: '198.18.8.0/24' } });
      for (const r of rules) await inst.adapter.announce(r);
      for (const r of rules) await seenByAll(ruleKey(r.spec));
      const present = await inst.adapter.present();
      if (present !== null) {
        for (const r of rules) assert.ok(present.has(ruleKey(r.spec)), `present() has ${ruleKey(r.spec)}`);
      }
      for (const r of rules) await inst.adapter.withdraw(r);
      for (const r of rules) await goneFromAll(ruleKey(r.spec));
      const after = await inst.adapter.present();
      if (after !== null) for (const r of rules) assert.ok(!after.has(ruleKey(r.spec)));
    });

    test('a rule kind outside the capabilities is refused with AdapterError', async () => {
      const specs: RuleSpec[] = [];
      if (!can('blackhole')) specs.push(blackholeRule().spec);
      if (!can('flowspec')) specs.push(tcpFlowRule().spec);
      if (!can('scrubbing')) specs.push({ kind: 'scrubbing', prefix: '198.18.8.0/24' });
      for (const spec of specs) await rejectsWithAdapterError(() => inst.adapter.announce({ id: id('outside'), spec }), spec.kind);
    });

    test('with the speaker down, announce throws AdapterError; after a restart it works again', async () => {
      const rule = can('blackhole') ? blackholeRule('198.18.7.4/32') : can('flowspec') ? tcpFlowRule() : { id: id('scrub2'), spec: { kind: 'scrubbing' as const, prefix: '198.18.8.0/24' } };
      await inst.killSpeaker();
      try {
        const err = await rejectsWithAdapterError(() => inst.adapter.announce(rule), 'announce with the speaker down');
        assert.equal(err.retryable, true, 'a down speaker is worth retrying');
        const r = await inst.adapter.test();
        assert.equal(r.ok, false);
      } finally {
        await inst.restartSpeaker();
      }
      await until('the adapter recovers', settle, async () => {
        try { await inst.adapter.announce(rule); return true; } catch { return false; }
      });
      await seen(ruleKey(rule.spec));
      await inst.adapter.withdraw(rule);
      await gone(ruleKey(rule.spec));
    });

    h.extraTests?.(() => inst);
  });
}
