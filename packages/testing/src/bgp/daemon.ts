// A daemon started in a namespace and stopped for certain: SIGTERM, then SIGKILL at a deadline.
// Its output is kept (capped) so a failed start can say why.
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../wait.ts';

export interface Daemon {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last output of the daemon, for failure messages. */
  output(): string;
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startDaemon(name: string, ns: string | null, cmd: string, args: string[], env: Record<string, string> = {}): Daemon {
  const full = ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] as const : [cmd, args] as const;
  const child = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let done = false;
  const keep = (d: Buffer) => { out = (out + d.toString('utf8')).slice(-20_000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const closed = new Promise<void>((resolve) => child.once('close', () => { done = true; resolve(); }));
  child.once('error', (e) => { out += `\nspawn error: ${e.message}`; });
  return {
    name, child,
    output: () => out,
    exited: () => done,
    stop: async (signal = 'SIGTERM') => {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** A daemon that is ready once start resolves, and can be killed and started again as it was. */
export interface RestartableDaemon {
  /** The daemon now running (a new one after each restart). */
  daemon(): Daemon;
  stop(): Promise<void>;
  /** Kill and start again with the same command, waiting until it is ready. */
  restart(): Promise<void>;
}

/**
 * Starts `cmd` in `ns` and waits until `ready()` says so (or the daemon exits, or `timeoutMs`
 * passes: then it is killed, never left half-started). `beforeStart` runs before every start
 * (to remove what a killed daemon left behind).
 */
export async function startRestartable(o: {
  name: string; ns: string; cmd: string; args: string[]; env?: Record<string, string>;
  /** What readiness is, for the timeout message ("API on /tmp/x.sock"). */
  readyWhat: string;
  ready: () => Promise<boolean> | boolean;
  beforeStart?: () => void;
  timeoutMs?: number;
}): Promise<RestartableDaemon> {
  let d: Daemon;
  const launch = async () => {
    o.beforeStart?.();
    const started = startDaemon(o.name, o.ns, o.cmd, o.args, o.env);
    d = started;
    try {
      await waitFor(`${o.name} ${o.readyWhat}`, async () => {
        if (started.exited()) throw new Error(`${o.name} exited: ${started.output()}`);
        return o.ready();
      }, o.timeoutMs ?? 10_000, 50);
    } catch (err) {
      await started.stop('SIGKILL');
      throw err;
    }
  };
  await launch();
  return {
    daemon: () => d,
    stop: async () => { await d.stop(); },
    restart: async () => { await d.stop('SIGKILL'); await launch(); },
  };
}
