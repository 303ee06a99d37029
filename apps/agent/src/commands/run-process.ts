// Runs one program for a command: an argument vector, never a shell (unless the program asked
// for is /bin/sh itself, which only `shell` does), killed at its timeout, its stdout and stderr
// interleaved and capped, so a chatty or stuck process can neither fill memory nor hang the agent.
import { spawn } from 'node:child_process';
import { OUTPUT_CAP_BYTES } from '@breakwater/contracts/plain';

export interface ProcessResult {
  /** null when it was killed or never started. */
  exit_code: number | null;
  output: string;
  timedOut: boolean;
  /** Output beyond the cap was dropped. */
  truncated: boolean;
  /** Why it did not start (ENOENT…). */
  spawnError: string | null;
}

export function runProcess(argv: readonly string[], o: { timeoutMs: number; capBytes?: number; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  const cap = o.capBytes ?? OUTPUT_CAP_BYTES;
  return new Promise((done) => {
    let settled = false;
    const resolve = (r: ProcessResult) => {
      if (!settled) done(r);
      settled = true;
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let timedOut = false;
    const child = spawn(argv[0]!, argv.slice(1), { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env, detached: true });
    const take = (d: Buffer) => {
      if (size >= cap) {
        truncated = true;
        return;
      }
      const part = d.subarray(0, cap - size);
      if (part.length < d.length) truncated = true;
      chunks.push(part);
      size += part.length;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    // The whole process group: a shell's children die with it.
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const text = () => Buffer.concat(chunks).toString('utf8');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      // A descendant that left the group may hold the pipes open: do not wait for it.
      setTimeout(() => resolve({ exit_code: null, output: text(), timedOut, truncated, spawnError: null }), 1000).unref();
    }, o.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ exit_code: null, output: text(), timedOut: false, truncated, spawnError: e.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exit_code: timedOut ? null : code, output: text(), timedOut, truncated, spawnError: null });
    });
  });
}
