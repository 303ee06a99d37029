// A local webhook receiver for alerting tests: verifies each request's signature, records
// it, and answers as scripted (ok, an error status, or never).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@breakwater/notify';

export type Behaviour = 'ok' | 'hang' | number;

export interface Received {
  at: number;
  event: string;
  deliveryId: string;
  body: { event: string; delivery_id: string; incident: { uuid: string; severity: string; node_name: string } };
  signatureOk: boolean;
}

export class Receiver {
  readonly received: Received[] = [];
  readonly #script: Behaviour[] = [];
  readonly #hanging: ServerResponse[] = [];
  #server: Server | null = null;
  url = '';

  readonly secret: string;
  constructor(secret: string) {
    this.secret = secret;
  }

  /** What the next requests get; after the script runs out, 'ok'. */
  script(...b: Behaviour[]): this {
    this.#script.push(...b);
    return this;
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.#hanging) r.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const b = this.#script.shift() ?? 'ok';
    if (b === 'hang') {
      this.#hanging.push(res);
      return;
    }
    if (b !== 'ok') {
      res.writeHead(b, { 'content-type': 'text/plain' }).end('scripted failure');
      return;
    }
    const body = JSON.parse(raw.toString()) as Received['body'];
    const ok = verifyWebhook(this.secret, raw, { signature: req.headers['x-breakwater-signature'] as string, timestamp: req.headers['x-breakwater-timestamp'] as string }, Date.now());
    this.received.push({ at: Date.now(), event: body.event, deliveryId: String(req.headers['x-breakwater-delivery']), body, signatureOk: ok.ok });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }
}
