// Test helpers for profiles-kernel.test.ts: small Node programs run inside the test's namespaces
// (TCP listeners and connects, a DNS-like UDP responder and query) and rule counters read back
// from nft and iptables-save.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const node = process.execPath;

export function inNs(ns: string, args: string[], timeout = 30_000): { stdout: string; status: number | null; ms: number } {
  const t0 = performance.now();
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout, maxBuffer: 16 << 20 });
  return { stdout: r.stdout ?? '', status: r.status, ms: performance.now() - t0 };
}

/** A long-running helper in a namespace: TCP listeners on `tcp`, a UDP echo on `udp`. */
export async function serve(ns: string, tcp: number[], udp: number[]): Promise<ChildProcess> {
  const src = `
    const net = require('node:net'); const dgram = require('node:dgram');
    let n = 0; const want = ${tcp.length + udp.length};
    const up = () => { if (++n === want) console.log('ready'); };
    for (const p of ${JSON.stringify(tcp)}) net.createServer((s) => s.end()).listen(p, '0.0.0.0', up);
    for (const p of ${JSON.stringify(udp)}) { const s = dgram.createSocket('udp4'); s.on('message', (m, r) => s.send(m, r.port, r.address)); s.bind(p, '0.0.0.0', up); }
    process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
  const child = spawn('ip', ['netns', 'exec', ns, node, '-e', src], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => ['exited'])]));
  if (!String(line).includes('ready')) throw new Error(`helper in ${ns} did not start: ${String(line)}`);
  return child;
}

export interface Connect {
  port: number;
  localAddress?: string;
  localPort?: number;
}

/** TCP connects from a namespace: which succeeded within 600 ms. */
export function connects(ns: string, host: string, list: Connect[]): boolean[] {
  const src = `
    const net = require('node:net');
    const one = (c) => new Promise((res) => {
      const s = net.connect({ host: ${JSON.stringify(host)}, port: c.port, localAddress: c.localAddress, localPort: c.localPort });
      const t = setTimeout(() => { s.destroy(); res(false); }, 600);
      s.on('connect', () => { clearTimeout(t); s.destroy(); res(true); });
      s.on('error', () => { clearTimeout(t); res(false); });
    });
    (async () => { const out = []; for (const c of ${JSON.stringify(list)}) out.push(await one(c)); console.log(JSON.stringify(out)); })();`;
  const r = inNs(ns, [node, '-e', src]);
  return JSON.parse(r.stdout) as boolean[];
}

/** A DNS-sized UDP query from a namespace to `host:53`, answered by the echo: did the answer come back? */
export function udpQuery(ns: string, host: string): boolean {
  const src = `
    const s = require('node:dgram').createSocket('udp4');
    const t = setTimeout(() => { console.log('false'); process.exit(0); }, 1000);
    s.on('message', () => { clearTimeout(t); console.log('true'); process.exit(0); });
    s.send(Buffer.alloc(40, 1), 53, ${JSON.stringify(host)});`;
  return inNs(ns, [node, '-e', src]).stdout.trim() === 'true';
}

/** Packets counted by the first rule whose listing line contains `match`, in nft or iptables-save -c text. */
export function counter(listing: string, match: string): number {
  for (const line of listing.split('\n')) {
    if (!line.includes(match)) continue;
    const nft = /counter packets (\d+)/.exec(line);
    if (nft) return Number(nft[1]);
    const ipt = /^\[(\d+):\d+\]/.exec(line);
    if (ipt) return Number(ipt[1]);
  }
  throw new Error(`no counted rule matches ${JSON.stringify(match)} in\n${listing}`);
}
