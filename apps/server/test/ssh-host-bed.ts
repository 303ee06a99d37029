// A throwaway "host" for deploy tests: a network namespace joined to the test's root namespace by
// a veth pair (10.200.x.y/30), whose processes see /etc, /opt, /var and /run through overlays
// whose upper layers are in the test's temp dir — an installer run there writes nothing on the
// real machine, and the test reads what it wrote. Optionally a real sshd (its own host key, an
// authorized key the test generates) listens on the namespace's address.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@breakwater/testing';

export interface KeyPair { priv: string; pub: string; fingerprint: string }

export interface HostBed {
  ns: string;
  /** The namespace's interface and address, and the root namespace's end of the link. */
  nsIf: string;
  nsIp: string;
  rootIp: string;
  dir: string;
  /** A file as the host's processes see it (read from the overlay's upper layer, or the lower one). */
  hostFile(path: string): string | null;
  /** Runs `sh -c script` on the host (its namespace and overlays). */
  run(script: string, opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  sshd?: { port: number; hostKey: KeyPair; userKey: KeyPair; otherHostKey: KeyPair };
  /** Runs a command on the sshd host as root over a real SSH login (OpenSSH's client, host key checked).
   *  With `onLine`, each line the command prints is handed to it with a way to write to the command's
   *  standard input: a test can log in first and then act through the open session at once. */
  ssh(command: string, opts?: { onLine?: (line: string, send: (data: string) => void) => void }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const OVERLAID = ['etc', 'opt', 'var', 'run'];
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export function keygen(dir: string, name: string): KeyPair {
  const f = join(dir, name);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', f]);
  const fingerprint = sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`]).split(' ')[1]!;
  return { priv: readFileSync(f, 'utf8'), pub: readFileSync(`${f}.pub`, 'utf8'), fingerprint };
}

function overlayScript(dir: string): string {
  return OVERLAID.map((d) => `mkdir -p ${dir}/ovl/${d}-up ${dir}/ovl/${d}-work && mount -t overlay overlay -o lowerdir=/${d},upperdir=${dir}/ovl/${d}-up,workdir=${dir}/ovl/${d}-work /${d}`).join(' && ');
}

/** `serverIp`: an address of the root namespace (another bed's link) this host gets a route to. */
export async function startHostBed(o: { sshd: boolean; serverIp?: string }): Promise<HostBed> {
  const id = randomBytes(3).toString('hex');
  const n = parseInt(id, 16);
  const third = 100 + (n % 100);
  const base = ((n >> 8) % 60) * 4;
  const ns = `bwd-${id}`;
  const rootIf = `bwdr${id}`;
  const nsIf = `bwdn${id}`;
  const rootIp = `10.200.${third}.${base + 1}`;
  const nsIp = `10.200.${third}.${base + 2}`;
  const dir = mkdtempSync(join(tmpdir(), 'bw-host-'));
  const children: ChildProcess[] = [];
  const cleanup = () => {
    // The agent an installer started runs detached in its own process group: end that group.
    const pidFile = join(dir, 'ovl', 'run-up', 'breakwater-agent.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        if (pid > 1) process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
    try {
      sh('ip', ['netns', 'del', ns]);
    } catch {
      // not made
    }
    try {
      sh('ip', ['link', 'del', rootIf]);
    } catch {
      // went with the namespace
    }
  };
  try {
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', rootIf, 'type', 'veth', 'peer', 'name', nsIf]);
    sh('ip', ['link', 'set', nsIf, 'netns', ns]);
    sh('ip', ['addr', 'add', `${rootIp}/30`, 'dev', rootIf]);
    sh('ip', ['link', 'set', rootIf, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    sh('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    if (o.serverIp) sh('ip', ['-n', ns, 'route', 'add', `${o.serverIp}/32`, 'dev', nsIf]);

    const run: HostBed['run'] = (script, opts = {}) => new Promise((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${overlayScript(dir)} && ${script}`], {
        stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...opts.env },
      });
      children.push(p);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });

    const bed: HostBed = {
      ns, nsIf, nsIp, rootIp, dir, run,
      ssh: () => Promise.reject(new Error('this host bed has no sshd')),
      hostFile(path) {
        const [, top, ...rest] = path.split('/');
        const upper = join(dir, 'ovl', `${top}-up`, ...rest);
        if (OVERLAID.includes(top!) && existsSync(upper)) return readFileSync(upper, 'utf8');
        return existsSync(path) && OVERLAID.includes(top!) ? readFileSync(path, 'utf8') : null;
      },
      async stop() {
        cleanup();
        await new Promise((r) => setImmediate(r));
        rmSync(dir, { recursive: true, force: true });
      },
    };

    if (o.sshd) {
      const hostKey = keygen(dir, 'ssh_host_ed25519_key');
      const otherHostKey = keygen(dir, 'other_host_key');
      const userKey = keygen(dir, 'id_deploy');
      writeFileSync(join(dir, 'authorized_keys'), userKey.pub, { mode: 0o600 });
      writeFileSync(join(dir, 'sshd_config'), [
        'Port 22', `ListenAddress ${nsIp}`, `HostKey ${dir}/ssh_host_ed25519_key`, `PidFile ${dir}/sshd.pid`,
        `AuthorizedKeysFile ${dir}/authorized_keys`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
        'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'LogLevel VERBOSE', '',
      ].join('\n'));
      const p = spawn('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
        `${overlayScript(dir)} && mkdir -p /run/sshd && chmod 755 /run/sshd && exec /usr/sbin/sshd -D -e -f ${dir}/sshd_config`], {
        stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
      children.push(p);
      let log = '';
      p.stderr.on('data', (d: Buffer) => (log += d.toString()));
      await waitFor('sshd listening in the namespace', () => p.exitCode === null
        ? new Promise<boolean>((resolve) => {
          const s = connect(22, nsIp, () => { s.destroy(); resolve(true); });
          s.on('error', () => resolve(false));
        })
        : Promise.reject(new Error(`sshd exited: ${log}`)), 10_000, 50);
      bed.sshd = { port: 22, hostKey, userKey, otherHostKey };
      writeFileSync(join(dir, 'known_hosts'), `${nsIp} ${hostKey.pub}`);
      // Not spawnSync: the test keeps reading streams while a command runs on the host.
      bed.ssh = (command, opts = {}) => new Promise((resolve, reject) => {
        const c = spawn('ssh', ['-F', '/dev/null', '-i', join(dir, 'id_deploy'), '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes',
          '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', `root@${nsIp}`, command], { stdio: [opts.onLine ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
        children.push(c);
        let stdout = '';
        let stderr = '';
        let seenTo = 0;
        const send = (data: string) => { c.stdin?.write(data); };
        c.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          let nl: number;
          while (opts.onLine && (nl = stdout.indexOf('\n', seenTo)) >= 0) {
            opts.onLine(stdout.slice(seenTo, nl), send);
            seenTo = nl + 1;
          }
        });
        c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
        c.on('error', reject);
        c.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    }
    return bed;
  } catch (err) {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
