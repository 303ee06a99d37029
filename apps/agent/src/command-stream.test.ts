// The push client's own behaviour, against a stand-in socket: what it connects to and with
// which credentials, commands handed over, reconnects after a close and after silence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@breakwater/testing';
import { CommandStream, streamUrl, type PushedCommand } from './command-stream.ts';

class FakeSocket {
  static made: FakeSocket[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  readonly url: string;
  readonly headers: Record<string, string>;
  constructor(url: string, init: { headers: Record<string, string> }) {
    this.url = url;
    this.headers = init.headers;
    FakeSocket.made.push(this);
  }
  close(): void {
    this.closed = true;
  }
  send(o: unknown): void {
    this.onmessage?.({ data: JSON.stringify(o) });
  }
  drop(code = 1006): void {
    this.onclose?.({ code });
  }
}

function stream(onCommand: (c: PushedCommand) => void, logs: string[]) {
  FakeSocket.made = [];
  return new CommandStream(
    { serverUrl: 'https://bw.example:8443/', nodeUuid: '00000000-0000-4000-8000-000000000001', apiKey: 'k'.repeat(64), version: '9.9.9', minBackoffMs: 20, maxBackoffMs: 80 },
    { onCommand, log: (m) => logs.push(m), WebSocket: FakeSocket as unknown as typeof WebSocket, random: () => 0 },
  );
}

test('the stream URL follows the server URL (wss for https), credentials go in headers', () => {
  assert.equal(streamUrl('http://10.0.0.1:8080'), 'ws://10.0.0.1:8080/api/v1/agent/stream');
  const s = stream(() => {}, []);
  s.start();
  const ws = FakeSocket.made[0]!;
  assert.equal(ws.url, 'wss://bw.example:8443/api/v1/agent/stream');
  assert.equal(ws.headers.authorization, `Bearer ${'k'.repeat(64)}`);
  assert.equal(ws.headers['x-node-uuid'], '00000000-0000-4000-8000-000000000001');
  assert.ok(!ws.url.includes('k'.repeat(8)), 'the key is never in the URL');
  s.stop();
  assert.equal(ws.closed, true);
});

test('commands are handed over; a dropped connection is re-opened, with backoff, until stopped', async () => {
  const got: PushedCommand[] = [];
  const logs: string[] = [];
  const s = stream((c) => got.push(c), logs);
  s.start();
  const first = FakeSocket.made[0]!;
  first.send({ type: 'hello', ping_ms: 30_000 });
  assert.equal(s.connected, true);
  first.send({ type: 'command', command: { id: 7, payload: { type: 'drop_port', params: { protocol: 'udp', port: 53 } } } });
  first.send({ type: 'keepalive' });
  first.onmessage?.({ data: 'not json' });
  assert.deepEqual(got.map((c) => c.id), [7]);
  first.drop();
  assert.equal(s.connected, false);
  await waitFor('a second connection', () => FakeSocket.made.length === 2, 2000, 5);
  FakeSocket.made[1]!.drop(); // refused again: the next try waits longer
  await waitFor('a third connection', () => FakeSocket.made.length === 3, 2000, 5);
  FakeSocket.made[2]!.send({ type: 'hello' });
  assert.ok(logs.includes('command stream connected again'));
  s.stop();
  FakeSocket.made[2]!.drop(1000);
  await new Promise((r) => setImmediate(r));
  assert.equal(FakeSocket.made.length, 3, 'no reconnect after stop');
});

test('a server silent for 2.5 keepalive periods is taken for gone: the agent reconnects', { timeout: 10_000 }, async () => {
  const logs: string[] = [];
  const s = stream(() => {}, logs);
  s.start();
  FakeSocket.made[0]!.send({ type: 'hello', ping_ms: 1000 });
  const t0 = Date.now();
  await waitFor('reconnect after silence', () => FakeSocket.made.length === 2, 5000, 10);
  assert.ok(Date.now() - t0 >= 2400, `gave up after ${Date.now() - t0} ms of silence`);
  assert.equal(FakeSocket.made[0]!.closed, true);
  assert.ok(logs.some((l) => /went silent/.test(l)));
  s.stop();
});
