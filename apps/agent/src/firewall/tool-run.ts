// Runs a firewall tool (nft, iptables-restore, ufw, firewall-cmd) with an argument vector and
// optional stdin, never through a shell, killed at a timeout, output capped; a non-zero exit is
// a FirewallError carrying the tool's first lines of complaint.
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { FirewallError } from './firewall-executor.ts';

export function runTool(program: string, args: readonly string[], input?: string, timeoutMs = 10_000): Promise<string> {
  const name = basename(program);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new FirewallError(`${name} could not run: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new FirewallError(`${name} failed (${code}): ${(err.trim() || out.trim()).split('\n').slice(0, 3).join(' | ')}`));
    });
    // A tool may exit without reading stdin (its arguments said everything, or it failed early):
    // the EPIPE that follows is not an error of ours, the exit code says how it went.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
