// Runs a speaker's control tool (birdc, vtysh) without a shell, with a deadline and an output
// cap. Failures are AdapterErrors: a tool that cannot start or times out is retryable.
import { spawn } from 'node:child_process';
import { AdapterError } from '../../adapter.ts';

export interface CommandResult { code: number | null; stdout: string; stderr: string }

export function runCommand(cmd: string, args: string[], opts: { timeoutMs: number; cap?: number; input?: string }): Promise<CommandResult> {
  const cap = opts.cap ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new AdapterError(`${cmd}: cannot start: ${(err as Error).message}`, true));
      return;
    }
    let out = '';
    let errText = '';
    let overflow = false;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length + d.length > cap) { overflow = true; child.kill('SIGKILL'); } else out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (errText.length < 65536) errText += d; });
    child.on('error', (e) => { clearTimeout(timer); reject(new AdapterError(`${cmd}: ${e.message}`, true)); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new AdapterError(`${cmd} ${args.join(' ')}: no answer within ${opts.timeoutMs} ms`, true));
      else if (overflow) reject(new AdapterError(`${cmd}: output larger than ${cap} bytes`, true));
      else resolve({ code, stdout: out, stderr: errText });
    });
    child.stdin.on('error', () => { /* the tool may exit before reading its input */ });
    child.stdin.end(opts.input ?? '');
  });
}
