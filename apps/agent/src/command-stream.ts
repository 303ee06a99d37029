// The push side of commands: a WebSocket to GET agent/stream on which the server sends
// each command for this node as it is queued. It is kept open for the agent's lifetime —
// reconnected with capped, jittered backoff, and torn down when the server has been silent
// for longer than its keepalive promises (a half-open connection looks open forever
// otherwise). Config polling stays on beside it: a command missed while the socket was down
// is still found there, and the runner drops ids it has already handled.
// Node's built-in WebSocket (undici) takes request headers, so the node key travels in the
// Authorization header as on every other agent call, never in the URL.

export interface PushedCommand {
  id: number | string;
  payload?: { type?: string; params?: Record<string, unknown> };
  /** What the runner verifies and acts on: the typed command signed by the workspace key. */
  signed?: { body: string; signature: string };
}

export interface CommandStreamOptions {
  serverUrl: string;
  nodeUuid: string;
  apiKey: string;
  version: string;
  /** First reconnect delay; doubles per failure up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Used until the server's hello says how often it pings. */
  keepaliveMs?: number;
}

export interface CommandStreamDeps {
  onCommand: (c: PushedCommand) => void;
  /** Messages of other families on the same socket (the fleet's streams and files). */
  onOther?: (msg: { type: string } & Record<string, unknown>) => void;
  /** The socket closed (what was open on it is over). */
  onDown?: () => void;
  log: (msg: string) => void;
  WebSocket?: typeof WebSocket;
  random?: () => number;
}

/** Silence longer than this many keepalive periods means the connection is gone. */
const SILENCE_PERIODS = 2.5;

export function streamUrl(serverUrl: string): string {
  const u = new URL(`${serverUrl.replace(/\/+$/, '')}/api/v1/agent/stream`);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class CommandStream {
  readonly #o: Required<CommandStreamOptions>;
  readonly #d: CommandStreamDeps;
  #ws: WebSocket | null = null;
  #stopped = true;
  #failures = 0;
  #retry: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #keepaliveMs: number;
  #connected = false;
  /** Connections opened since start (for status and tests). */
  connects = 0;

  constructor(o: CommandStreamOptions, d: CommandStreamDeps) {
    this.#o = { minBackoffMs: 1000, maxBackoffMs: 30_000, keepaliveMs: 30_000, ...o };
    this.#d = d;
    this.#keepaliveMs = this.#o.keepaliveMs;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Sends a message to the server on the open socket; false when there is none. */
  send(msg: unknown): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== ws.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  /** Bytes queued on the socket and not yet sent (0 without one). */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#retry = this.#watchdog = null;
    this.#ws?.close(1000, 'agent stopping');
    this.#ws = null;
    this.#connected = false;
  }

  #connect(): void {
    if (this.#stopped) return;
    const WS = this.#d.WebSocket ?? WebSocket;
    let ws: WebSocket;
    try {
      // The init object is undici's; @types/node types the global WebSocket through a conditional on
      // globalThis that tsc does not always resolve to undici's (the same tree type-checked clean or not
      // from one run to the next), so the second argument is cast to whatever the constructor takes.
      const init = {
        headers: { authorization: `Bearer ${this.#o.apiKey}`, 'x-node-uuid': this.#o.nodeUuid, 'user-agent': `breakwater-agent/${this.#o.version}` },
      } as unknown as ConstructorParameters<typeof WebSocket>[1];
      ws = new WS(streamUrl(this.#o.serverUrl), init);
    } catch (err) {
      this.#d.log(`command stream: ${(err as Error).message}`);
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.onmessage = (ev: MessageEvent) => {
      this.#heard();
      let msg: { type?: string; command?: PushedCommand; ping_ms?: number };
      try {
        msg = JSON.parse(String(ev.data)) as typeof msg;
      } catch {
        return; // the server's messages are JSON; anything else is ignored, not fatal
      }
      if (msg.type === 'hello') {
        if (typeof msg.ping_ms === 'number' && msg.ping_ms >= 1000) this.#keepaliveMs = msg.ping_ms;
        this.#connected = true;
        this.#failures = 0;
        this.connects++;
        if (this.connects > 1) this.#d.log('command stream connected again');
        this.#heard();
      } else if (msg.type === 'command' && msg.command && msg.command.id !== undefined) {
        this.#d.onCommand(msg.command);
      } else if (typeof msg.type === 'string' && msg.type !== 'keepalive') {
        this.#d.onOther?.(msg as { type: string } & Record<string, unknown>);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#d.onDown?.();
      const was = this.#connected;
      this.#connected = false;
      if (this.#watchdog) clearTimeout(this.#watchdog);
      if (this.#stopped) return;
      if (was) this.#d.log(`command stream closed (${ev.code}); reconnecting`);
      this.#scheduleReconnect();
    };
    // An error is always followed by close, where the reconnect is scheduled.
    ws.onerror = () => undefined;
    this.#heard();
  }

  /** Any message (the server's keepalives included) proves the connection is alive. */
  #heard(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    const ws = this.#ws;
    this.#watchdog = setTimeout(() => {
      if (this.#ws !== ws || !ws) return;
      this.#d.log('command stream: the server went silent; reconnecting');
      // close() waits for a closing handshake a dead peer never sends: drop it ourselves
      ws.onclose = null;
      ws.close();
      this.#ws = null;
      this.#connected = false;
      this.#d.onDown?.();
      this.#scheduleReconnect();
    }, this.#keepaliveMs * SILENCE_PERIODS);
    this.#watchdog.unref();
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retry) return;
    const base = Math.min(this.#o.maxBackoffMs, this.#o.minBackoffMs * 2 ** this.#failures);
    this.#failures++;
    // jitter: a restarted server is not hit by every agent in the same millisecond
    const delay = base / 2 + (this.#d.random ?? Math.random)() * (base / 2);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#connect();
    }, delay);
    this.#retry.unref();
  }
}
