import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { hexAddress, SocketTable } from './socket-table.ts';

test('socket table: kernel hex addresses (little-endian words), v4-mapped IPv6 as IPv4', () => {
  assert.equal(hexAddress('0100007F'), '127.0.0.1');
  assert.equal(hexAddress('0500A8C0'), '192.168.0.5');
  assert.equal(hexAddress('00000000000000000000000001000000'), '::1');
  assert.equal(hexAddress('0000000000000000FFFF00000100007F'), '127.0.0.1');
  assert.equal(hexAddress('B80D0120000000000000000007000000'), '2001:db8::7');
  assert.equal(hexAddress('zz'), null);
});

test('socket table: established connections to the watched port, counted per source, from the real /proc/net/tcp', async () => {
  const held: Socket[] = [];
  const server = createServer((s) => held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const clients = await Promise.all(Array.from({ length: 60 }, () => new Promise<Socket>((r) => { const c = connect(port, '127.0.0.1', () => r(c)); })));
  try {
    const table = new SocketTable({ ports: [port], maxKeys: 64, listSize: 5 });
    const seen = await table.read();
    assert.equal(seen.open, 60, 'the server side of each connection (the client sides have other local ports)');
    assert.deepEqual(seen.sources, [{ key: '127.0.0.1', count: 60 }]);
    const other = await new SocketTable({ ports: [1], maxKeys: 64, listSize: 5 }).read();
    assert.equal(other.open, 0);
  } finally {
    for (const c of [...clients, ...held]) c.destroy();
    await new Promise((r) => server.close(r));
  }
});
