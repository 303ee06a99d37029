// The agent's side of fleet commands, with real processes: it runs only commands signed by the
// pinned key, addressed to itself, unexpired and never seen before (nonces survive a restart),
// and acknowledges every refusal with its reason; shell runs only when its own config allows
// raw commands; programs are killed at their timeout and their output is capped.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OUTPUT_CAP_BYTES } from '@breakwater/contracts';
import { testSigner } from '../testing/command-signing.ts';
import { CommandRunner, type Pending } from './command-runner.ts';
import { CommandVerifier } from './command-verifier.ts';
import { PIN_FILE } from './key-pin.ts';
import { MAX_NONCES, NonceStore } from './nonce-store.ts';

const NODE = '0e6f3c59-2a8e-4b5e-9a41-6f1d2c3b4a51';
const OTHER = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const dir = mkdtempSync(join(tmpdir(), 'bw-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Ack { command_id: number; status: string; error: string | null; exit_code?: number | null; output?: string | null }

function agent(o: { key?: string | null; allowRaw?: boolean; now?: () => number; nonceFile?: string; config?: Record<string, unknown>; pinFirst?: (k: string) => boolean; restart?: () => void } = {}) {
  const acks: Ack[] = [];
  const logs: string[] = [];
  const now = o.now ?? Date.now;
  const verifier = new CommandVerifier({ nodeUuid: NODE, nonces: new NonceStore(o.nonceFile ?? join(dir, `n-${Math.random()}.json`), now), now, publicKey: o.key ?? null });
  const runner = new CommandRunner({
    client: {
      call: async (method: string, path: string, body?: unknown) => {
        if (method === 'POST' && path === '/commands/ack') acks.push(body as Ack);
        if (method === 'GET' && path === '/config') return { ok: true as const, body: { pending_commands: [], ...o.config } as never };
        return { ok: true as const, body: {} as never };
      },
    },
    executor: null, allowRawCommands: o.allowRaw ?? false, verifier, log: (m) => logs.push(m), restart: o.restart,
    pinFirst: o.pinFirst ? (k) => o.pinFirst!(k) && verifier.pin(k) : undefined,
  });
  return { runner, acks, logs, verifier };
}

describe('signed commands on the agent', () => {
  const s = testSigner(NODE);
  const cmd = (id: number, type: string, params: Record<string, unknown> = {}) => s.pending(s.body({ command_id: id, type, params }));

  test('a signed command runs: exit code and output come back in the acknowledgement', async () => {
    const a = agent({ key: s.publicKey, allowRaw: true });
    await a.runner.accept(cmd(1, 'exec', { argv: ['/bin/echo', 'hello', '; rm -rf /'] }), 'push');
    await a.runner.accept(cmd(2, 'shell', { command: 'echo out; echo err >&2; exit 3' }), 'push');
    assert.deepEqual(a.acks[0], { command_id: 1, status: 'applied', error: null, exit_code: 0, output: 'hello ; rm -rf /\n' }, 'argv: no shell reads the ";"');
    assert.equal(a.acks[1]!.status, 'failed');
    assert.equal(a.acks[1]!.exit_code, 3);
    assert.equal(a.acks[1]!.error, 'exit code 3');
    assert.match(String(a.acks[1]!.output), /out\n/);
    assert.match(String(a.acks[1]!.output), /err\n/);
  });

  test('shell and exec are refused, with the reason, unless the agent’s own config allows raw commands', async () => {
    const a = agent({ key: s.publicKey, allowRaw: false });
    await a.runner.accept(cmd(3, 'shell', { command: `touch ${join(dir, 'pwned')}` }), 'push');
    await a.runner.accept(cmd(4, 'exec', { argv: ['/usr/bin/touch', join(dir, 'pwned')] }), 'poll');
    for (const ack of a.acks) {
      assert.equal(ack.status, 'rejected');
      assert.match(String(ack.error), /raw commands are disabled in this agent's config \(allow_raw_commands\)/);
    }
    assert.throws(() => readFileSync(join(dir, 'pwned')), /ENOENT/, 'nothing ran');
  });

  test('a process is killed at its timeout (the registry caps it at 60 s) and its output is capped at 64 KiB', async () => {
    const a = agent({ key: s.publicKey, allowRaw: true });
    const t0 = Date.now();
    await a.runner.accept(cmd(5, 'shell', { command: 'echo started; sleep 30', timeout: 1 }), 'push');
    assert.ok(Date.now() - t0 < 5000, `returned after ${Date.now() - t0} ms`);
    assert.equal(a.acks[0]!.status, 'failed');
    assert.match(String(a.acks[0]!.error), /^timed out after 1 s; killed$/);
    assert.equal(a.acks[0]!.output, 'started\n');
    await a.runner.accept(cmd(6, 'shell', { command: 'head -c 300000 /dev/zero | tr "\\0" a' }), 'push');
    const out = String(a.acks[1]!.output);
    assert.equal(a.acks[1]!.exit_code, 0);
    assert.ok(out.startsWith('a'.repeat(1000)));
    assert.equal(out, `${'a'.repeat(OUTPUT_CAP_BYTES)}\n[output truncated]`);
  });

  test('service, journal and upgrade commands run argument vectors (no shell); agent_upgrade is refused when not configured', async () => {
    const a = agent({ key: s.publicKey });
    await a.runner.accept(cmd(7, 'service_status', { unit: 'breakwater-test-none.service' }), 'push');
    await a.runner.accept(cmd(8, 'agent_upgrade', { version: '1.2.3' }), 'push');
    await a.runner.accept(cmd(9, 'config_reload'), 'push');
    const [status, upgrade, reload] = a.acks;
    // No systemd in the test bed, or no such unit: either way a real exit code or start error, stored.
    assert.equal(status!.status, 'failed');
    assert.ok(status!.exit_code !== 0);
    assert.deepEqual([upgrade!.status, upgrade!.error], ['rejected', 'agent_upgrade is not configured on this agent (upgrade_argv in its config)']);
    assert.deepEqual([reload!.status, reload!.output], ['applied', 'config fetched: 0 pending command(s)']);
  });

  test('agent_restart is acknowledged first, then the agent restarts', async () => {
    const order: string[] = [];
    const a = agent({ key: s.publicKey, restart: () => order.push('restart') });
    const acks = a.acks;
    const push = acks.push.bind(acks);
    acks.push = (...x: Ack[]) => (order.push('ack'), push(...x));
    await a.runner.accept(cmd(10, 'agent_restart'), 'push');
    assert.deepEqual(order, ['ack', 'restart']);
  });

  test('refused, each acknowledged with its reason: tampered, signed by another key, expired, addressed to another agent, unsigned, replayed under another id', async () => {
    let now = Date.now();
    const a = agent({ key: s.publicKey, allowRaw: true, now: () => now });
    const other = testSigner(NODE);
    const mark = join(dir, 'ran');
    const tampered = s.pending(s.body({ command_id: 20, type: 'service_status', params: { unit: 'nginx' } }), (text) => text.replace('service_status', 'shell').replace('{"unit":"nginx"}', `{"command":"touch ${mark}"}`));
    const foreign = other.pending(other.body({ command_id: 21, type: 'config_reload', params: {} }));
    const expired = s.pending(s.body({ command_id: 22, type: 'config_reload', params: {}, expires_at: now + 60_000 }));
    const elsewhere = s.pending(s.body({ command_id: 23, type: 'config_reload', params: {}, node_uuid: OTHER }));
    const unsigned: Pending = { id: 24, payload: { type: 'shell', params: { command: `touch ${mark}` } } };
    const original = cmd(25, 'config_reload');
    const reused: Pending = { ...original, id: 26 };
    await a.runner.accept(tampered, 'push');
    await a.runner.accept(foreign, 'push');
    now += 61_000;
    await a.runner.accept(expired, 'poll');
    await a.runner.accept(elsewhere, 'push');
    await a.runner.accept(unsigned, 'push');
    await a.runner.accept(original, 'push');
    await a.runner.accept(reused, 'push');
    const by = Object.fromEntries(a.acks.map((x) => [x.command_id, x]));
    assert.match(String(by[20]!.error), /^bad_signature: command 20: the signature does not match the pinned key$/);
    assert.match(String(by[21]!.error), /^bad_signature: /);
    assert.match(String(by[22]!.error), /^expired: command 22 expired at /);
    assert.match(String(by[23]!.error), new RegExp(`^wrong_agent: command 23 is addressed to agent ${OTHER}, not this one`));
    assert.match(String(by[24]!.error), /^unsigned: command 24 carries no signature$/);
    assert.equal(by[25]!.status, 'applied');
    assert.match(String(by[26]!.error), /^replayed: command 26 carries the signature of command 25$/);
    for (const id of [20, 21, 22, 23, 24, 26]) assert.equal(by[id]!.status, 'rejected', String(id));
    assert.throws(() => readFileSync(mark), /ENOENT/, 'nothing refused ran');
    assert.equal(a.logs.filter((l) => / refused \(/.test(l)).length, 6);
  });

  test('a command replayed after the agent restarted is refused: nonces are kept on disk', async () => {
    const nonceFile = join(dir, 'restart-nonces.json');
    const first = agent({ key: s.publicKey, nonceFile });
    const c = cmd(30, 'config_reload');
    await first.runner.accept(c, 'push');
    assert.equal(first.acks[0]!.status, 'applied');
    const second = agent({ key: s.publicKey, nonceFile }); // a new process: its in-memory "seen" is empty
    await second.runner.accept(c, 'poll');
    assert.equal(second.acks[0]!.status, 'rejected');
    assert.match(String(second.acks[0]!.error), /^replayed: command 30: nonce [0-9a-f]{32} was used before$/);
  });

  test('the nonce store is bounded: expired nonces go, and at most MAX_NONCES stay', () => {
    let now = 1_000_000;
    const file = join(dir, 'bounded.json');
    const store = new NonceStore(file, () => now);
    store.add('a'.repeat(32), now + 10);
    now += 11;
    store.add('b'.repeat(32), now + 1000);
    assert.equal(store.has('a'.repeat(32)), false, 'expired: dropped (the expiry check refuses its command anyway)');
    for (let i = 0; i < MAX_NONCES + 5; i++) store.add(i.toString(16).padStart(32, '0'), now + 5000 + i);
    assert.equal(store.size, MAX_NONCES);
    assert.equal(store.has('0'.repeat(32)), false, 'the earliest expiring went first');
    assert.equal(new NonceStore(file, () => now).size, MAX_NONCES, 'read back after a restart');
  });

  test('an agent enrolled before pinning runs nothing until it pins the server’s key from its first config fetch (trust on first use, logged)', async () => {
    const stateDir = mkdtempSync(join(dir, 'tofu-'));
    const { pinOnFirstUse } = await import('./key-pin.ts');
    const logs: string[] = [];
    const unpinned = agent({ key: null });
    await unpinned.runner.accept(cmd(40, 'config_reload'), 'push');
    assert.match(String(unpinned.acks[0]!.error), /^no_pinned_key: /);
    const a = agent({ key: null, config: { command_public_key: s.publicKey }, pinFirst: (k) => pinOnFirstUse(k, stateDir, (m) => logs.push(m)) });
    await a.runner.accept(cmd(41, 'config_reload'), 'push');
    assert.equal(a.acks[0]!.status, 'applied');
    assert.equal(readFileSync(join(stateDir, PIN_FILE), 'utf8').trim(), s.publicKey);
    assert.match(logs[0]!, /pinned the server's command key on first use \(SHA256:[A-Za-z0-9+/]+\)/);
    // From then on only that key counts, whatever a later config says.
    const other = testSigner(NODE);
    const b = agent({ key: null, config: { command_public_key: other.publicKey }, pinFirst: () => assert.fail('pins once only') });
    const pinned = (await import('./key-pin.ts')).pinnedKey(undefined, stateDir);
    assert.equal(pinned, s.publicKey);
    b.verifier.pin(pinned);
    await b.runner.accept(other.pending(other.body({ command_id: 42, type: 'config_reload' })), 'push');
    assert.match(String(b.acks[0]!.error), /^bad_signature: /);
  });
});

describe('capture start and stop on the agent', () => {
  const s = testSigner(NODE);
  test('capture_start runs tcpdump on the interface with a filter from typed values; capture_stop ends it and says what it wrote', { timeout: 30_000 }, async () => {
    const { CaptureControl } = await import('./capture-control.ts');
    const acks: Ack[] = [];
    const verifier = new CommandVerifier({ nodeUuid: NODE, nonces: new NonceStore(join(dir, 'cap.json'), Date.now), now: Date.now, publicKey: s.publicKey });
    const runner = new CommandRunner({
      client: { call: async (_m: string, p: string, body?: unknown) => (p === '/commands/ack' && acks.push(body as Ack), { ok: true as const, body: {} as never }) },
      executor: null, allowRawCommands: false, verifier, log: () => undefined, capture: new CaptureControl({ iface: 'lo', dir }),
    });
    const c = (id: number, type: string, params: Record<string, unknown> = {}) => s.pending(s.body({ command_id: id, type, params }));
    await runner.accept(c(50, 'capture_start', { duration: 20, max_packets: 1000, host: '127.0.0.1', port: 9 }), 'push');
    assert.equal(acks[0]!.status, 'applied', String(acks[0]!.error));
    assert.match(String(acks[0]!.output), /^capturing on lo into .*manual-50\.pcap for at most 20 s or 1000 packets$/);
    await runner.accept(c(51, 'capture_start', { duration: 5 }), 'push');
    assert.equal(acks[1]!.status, 'rejected', 'one capture at a time');
    await runner.accept(c(52, 'capture_stop'), 'push');
    assert.equal(acks[2]!.status, 'applied');
    assert.match(String(acks[2]!.output), /^capture stopped: .*manual-50\.pcap \(\d+ bytes\)$/);
    const header = readFileSync(join(dir, 'manual-50.pcap')).subarray(0, 4).readUInt32LE(0);
    assert.equal(header, 0xa1b2c3d4, 'a pcap file');
  });
});
