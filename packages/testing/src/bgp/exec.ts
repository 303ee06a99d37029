// Runs a test-bed command without a shell, with a deadline and capped output, so a hung daemon
// tool fails a test with a message instead of hanging the run.
import { spawn } from 'node:child_process';

export interface RunResult { code: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: { timeoutMs?: number; cap?: number; input?: string } = {}): Promise<RunResult> {
  const cap = opts.cap ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (out.length < cap) out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (err.length < cap) err += d; });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: out, stderr: err }); });
    child.stdin.on('error', () => { /* the tool may exit before reading its input */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs and throws with the tool's own words when it fails. */
export async function runOk(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  return r.stdout;
}
