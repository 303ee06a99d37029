// A daemon started in a namespace and stopped for certain: SIGTERM, then SIGKILL at a deadline.
// Its output is kept (capped) so a failed start can say why.
import { spawn, type ChildProcess } from 'node:child_process';

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
