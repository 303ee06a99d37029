// A thin gRPC client for the GoBGP calls we make, on @grpc/grpc-js's generic Client with our
// own schema. Every call has a deadline; gRPC failures become AdapterErrors with the status.
import * as grpc from '@grpc/grpc-js';
import { AdapterError } from '../../adapter.ts';
import { SERVICE, decode, encode } from './schema.ts';

type Obj = Record<string, unknown>;

/** Codes that mean "the speaker is not there or not ready": worth retrying. */
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED, grpc.status.CANCELLED, grpc.status.UNKNOWN]);

function toAdapterError(method: string, err: grpc.ServiceError | Error): AdapterError {
  const code = (err as grpc.ServiceError).code;
  const details = (err as grpc.ServiceError).details ?? err.message;
  return new AdapterError(`gobgp ${method}: ${code !== undefined ? grpc.status[code] : 'error'}: ${details}`, code === undefined || RETRYABLE.has(code));
}

export class GobgpClient {
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;

  constructor(target: string, timeoutMs: number) {
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      // Reconnect quickly after a speaker restart instead of grpc's long default backoff.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
    this.timeoutMs = timeoutMs;
  }

  unary(method: string, reqType: string, resType: string, req: Obj): Promise<Obj> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(`${SERVICE}/${method}`, (v: Obj) => encode(reqType, v), (b: Buffer) => decode(resType, b), req,
        new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs },
        (err, res) => (err ? reject(toAdapterError(method, err)) : resolve(res ?? {})));
    });
  }

  stream(method: string, reqType: string, resType: string, req: Obj, maxItems = 1_000_000): Promise<Obj[]> {
    return new Promise((resolve, reject) => {
      const out: Obj[] = [];
      const call = this.client.makeServerStreamRequest(`${SERVICE}/${method}`, (v: Obj) => encode(reqType, v), (b: Buffer) => decode(resType, b), req,
        new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs });
      call.on('data', (d: Obj) => {
        if (out.length >= maxItems) { call.cancel(); reject(new AdapterError(`gobgp ${method}: more than ${maxItems} entries`, false)); return; }
        out.push(d);
      });
      call.on('error', (err: grpc.ServiceError) => reject(toAdapterError(method, err)));
      call.on('end', () => resolve(out));
    });
  }

  close(): void {
    this.client.close();
  }
}
