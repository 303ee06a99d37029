// The ExaBGP process-API bridge. ExaBGP starts it (`process ctl { run node bridge.ts SOCKET; encoder json; }`);
// it listens on a unix socket (or "tcp:127.0.0.1:PORT") for the exabgp adapter, writes each
// command to stdout for ExaBGP, and answers the adapter with ExaBGP's own ack for it: the
// lines ExaBGP printed, then "done" or "error". Commands go one at a time, because acks carry no
// id: the next ack always belongs to the oldest command. JSON events from ExaBGP go to every
// connected client. When ExaBGP goes away (stdin ends) the bridge exits and removes its socket.
import { createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: bridge.ts <unix socket path | tcp:127.0.0.1:PORT>\n');
  process.exit(2);
}

interface Pending { line: string; client: Socket; output: string[] }
const queue: Pending[] = [];
let inFlight: Pending | null = null;
const clients = new Set<Socket>();
const MAX_LINE = 64 * 1024;

const send = (c: Socket, msg: unknown) => { if (!c.destroyed) c.write(`${JSON.stringify(msg)}\n`); };

function pump(): void {
  if (inFlight) return;
  const next = queue.shift();
  if (!next) return;
  if (next.client.destroyed) { pump(); return; }
  inFlight = next;
  process.stdout.write(`${next.line}\n`);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const t = line.trim();
  if (t.startsWith('{')) {
    for (const c of clients) send(c, { type: 'event', data: t });
    return;
  }
  if (!inFlight) return; // an ack for a command whose client left; nothing to answer
  if (t === 'done' || t === 'error') {
    send(inFlight.client, { type: 'ack', ok: t === 'done', output: inFlight.output });
    inFlight = null;
    pump();
  } else if (inFlight.output.length < 100_000) {
    inFlight.output.push(line);
  }
});

const server = createServer((c) => {
  clients.add(c);
  let buf = '';
  c.setEncoding('utf8');
  c.on('data', (d: string) => {
    buf += d;
    if (buf.length > MAX_LINE) { send(c, { type: 'ack', ok: false, output: ['command too long'] }); c.destroy(); return; }
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      // ExaBGP reads one command per line; a control character would smuggle a second one.
      if (!line) continue;
      if (/[\r\u0000-\u001f]/.test(line)) { send(c, { type: 'ack', ok: false, output: ['control characters are not allowed'] }); continue; }
      queue.push({ line, client: c, output: [] });
    }
    pump();
  });
  c.on('close', () => clients.delete(c));
  c.on('error', () => clients.delete(c));
});

const unixPath = target.startsWith('tcp:') ? null : target;
function shutdown(): void {
  if (unixPath) rmSync(unixPath, { force: true });
  process.exit(0);
}
rl.on('close', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

if (unixPath) {
  rmSync(unixPath, { force: true });
  server.listen(unixPath);
} else {
  const m = /^tcp:(127\.0\.0\.1|\[::1\]|::1):(\d{1,5})$/.exec(target);
  if (!m) { process.stderr.write('bridge: a TCP endpoint must be on loopback, tcp:127.0.0.1:PORT\n'); process.exit(2); }
  server.listen(Number(m[2]), m[1]!.replace(/[[\]]/g, ''));
}
