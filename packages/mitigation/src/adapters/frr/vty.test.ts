// The vty socket transport against stand-ins for bgpd's socket: framing, garbage, restarts.
// (Against a real bgpd it runs in frr.test.ts, through the adapter contract.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { AdapterError } from '../../adapter.ts';
import { VtySession, splitReplies } from './vty.ts';

const frame = (output: string, status = 0) => Buffer.concat([Buffer.from(output), Buffer.from([0, 0, 0, status])]);

test('replies split back out of any chunking of the stream', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ output: fc.string().map((s) => s.replace(/\0/g, '')), status: fc.integer({ min: 0, max: 255 }) }).map((r) => ({ ...r })), { maxLength: 6 }),
    fc.array(fc.nat(), { maxLength: 8 }),
    (replies, cuts) => {
      const all = Buffer.concat(replies.map((r) => frame(r.output, r.status)));
      const points = [...new Set(cuts.map((c) => (all.length ? c % all.length : 0)))].sort((a, b) => a - b);
      const got: { output: string; status: number }[] = [];
      let buf: Buffer = Buffer.alloc(0);
      let last = 0;
      for (const p of [...points, all.length]) {
        buf = Buffer.concat([buf, all.subarray(last, p)]);
        last = p;
        const r = splitReplies(buf);
        got.push(...r.replies);
        buf = r.rest;
      }
      assert.deepEqual(got, replies);
      assert.equal(buf.length, 0);
    },
  ), { numRuns: 300 });
});

/** A unix socket server in a fresh directory; `answer` sees each command and writes what it likes. */
async function standIn(answer: (cmd: string, sock: Socket) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'bw-vty-'));
  const path = join(dir, 'bgpd.vty');
  const conns = new Set<Socket>();
  let accepted = 0;
  let server: Server;
  const listen = async () => {
    server = createServer((sock) => {
      accepted++;
      conns.add(sock);
      sock.on('close', () => conns.delete(sock));
      sock.on('error', () => undefined);
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        let at: number;
        while ((at = buf.indexOf('\0')) >= 0) {
          const cmd = buf.slice(0, at);
          buf = buf.slice(at + 1);
          answer(cmd, sock);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
  };
  await listen();
  const down = async () => {
    for (const c of conns) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    path,
    accepted: () => accepted,
    /** As a bgpd restart looks from the client: every session closed, then a new listener. */
    restart: async () => { await down(); await listen(); },
    destroy: async () => { await down().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); },
  };
}

test('garbage from the socket never throws: calls fail with AdapterError and the next call starts afresh', async () => {
  let garbage: Buffer = Buffer.alloc(0);
  let good = false;
  const s = await standIn((cmd, sock) => {
    if (cmd === 'enable' || cmd === 'end') sock.write(frame(''));
    else sock.write(good ? frame('FRRouting\n') : garbage);
  });
  try {
    await fc.assert(fc.asyncProperty(fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.constant(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])), // two replies to one command
      fc.constant(Buffer.from([0, 0, 0, 2])), // a refusal with no text
      fc.constant(Buffer.from([0, 0, 0, 0, 120])), // a reply, then stray bytes
      fc.constant(Buffer.from('% Unknown command\n\0\0\0\0')), // success status, error text
      fc.constant(Buffer.alloc(0)), // silence
    ), async (g) => {
      garbage = g;
      good = false;
      const session = new VtySession(s.path, 150);
      try {
        try {
          await session.run(['configure terminal', 'show version']);
        } catch (err) {
          assert.ok(err instanceof AdapterError, `not an AdapterError: ${String(err)}`);
        }
        good = true;
        assert.equal(await session.run(['show version']), 'FRRouting\n', 'the same session object works again');
      } finally {
        session.close();
      }
    }), { numRuns: 40 });
  } finally {
    await s.destroy();
  }
});

test('a refused command stops the batch and the session is back in enable mode for the next', async () => {
  const seen: string[] = [];
  const s = await standIn((cmd, sock) => {
    seen.push(cmd);
    if (cmd === 'bad') sock.write(frame('% Unknown command: bad\n', 2));
    else sock.write(frame(cmd === 'show version' ? 'FRRouting 8.4.4\n' : ''));
  });
  const session = new VtySession(s.path, 2000);
  try {
    await assert.rejects(session.run(['configure terminal', 'bad', 'never sent']), (err: unknown) => err instanceof AdapterError && !err.retryable && /Unknown command/.test(err.message));
    assert.equal(await session.run(['show version']), 'FRRouting 8.4.4\n');
    assert.deepEqual(seen, ['enable', 'configure terminal', 'bad', 'end', 'show version']);
    assert.equal(s.accepted(), 1, 'one session throughout');
  } finally {
    session.close();
    await s.destroy();
  }
});

test('a restart of the daemon is survived: the next call reconnects, enables and succeeds', async () => {
  const s = await standIn((cmd, sock) => sock.write(frame(cmd === 'show version' ? 'ok\n' : '')));
  const session = new VtySession(s.path, 2000);
  try {
    assert.equal(await session.run(['show version']), 'ok\n');
    await s.restart();
    assert.equal(await session.run(['show version']), 'ok\n');
    assert.equal(s.accepted(), 2);
    // And while it is down, calls fail retryably instead of hanging.
    await s.destroy();
    await assert.rejects(session.run(['show version']), (err: unknown) => err instanceof AdapterError && err.retryable);
  } finally {
    session.close();
    await s.destroy();
  }
});
