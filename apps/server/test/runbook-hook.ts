// A local receiver for runbook webhook steps: records each request (raw body and headers) and
// answers scripted failure statuses first.
import { createServer as createHttp, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hook { url: string; got: Array<{ body: string; headers: IncomingHttpHeaders; at: number }>; fail: number[]; stop(): Promise<void> }

/** A local receiver for webhook steps: records each request; answers the scripted failures first. */
export async function startHook(): Promise<Hook> {
  const got: Hook['got'] = [];
  const fail: number[] = [];
  const server: Server = createHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = fail.shift();
      if (status !== undefined) return void res.writeHead(status).end('scripted');
      got.push({ body: Buffer.concat(chunks).toString(), headers: req.headers, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, fail,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
