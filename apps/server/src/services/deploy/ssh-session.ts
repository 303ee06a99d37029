// One SSH connection for a deploy (ssh2): the host key is checked before authentication goes
// any further, commands run one at a time with their output capped, files go up through a
// command's stdin (no SFTP subsystem needed on the host).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import ssh2 from 'ssh2';
import { blobKeyType, sshFingerprint } from './ssh-key-text.ts';

export interface PresentedHostKey {
  fingerprint: string;
  keyType: string;
}

export interface SshTarget {
  address: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string | undefined;
  /** Decides on the key the host presents (and may record it); false ends the connection before authentication. */
  acceptHostKey: (key: PresentedHostKey) => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const OUTPUT_CAP = 64 * 1024;

export class HostKeyRejected extends Error {
  readonly presented: PresentedHostKey;
  constructor(presented: PresentedHostKey) {
    super(`host key ${presented.fingerprint} was not accepted`);
    this.presented = presented;
  }
}

export class SshSession {
  readonly #conn: ssh2.Client;
  readonly hostKey: PresentedHostKey;

  private constructor(conn: ssh2.Client, hostKey: PresentedHostKey) {
    this.#conn = conn;
    this.hostKey = hostKey;
  }

  static connect(t: SshTarget): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const conn = new ssh2.Client();
      let presented: PresentedHostKey | null = null;
      let rejected = false;
      conn.on('ready', () => resolve(new SshSession(conn, presented!)));
      conn.on('error', (err) => {
        conn.end();
        reject(rejected && presented ? new HostKeyRejected(presented) : err);
      });
      const hostVerifier: ssh2.HostVerifier = (key, verify) => {
        const k = { fingerprint: sshFingerprint(key), keyType: blobKeyType(key) };
        presented = k;
        t.acceptHostKey(k).then((ok) => {
          rejected = !ok;
          verify(ok);
        }, (err: unknown) => {
          conn.end();
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      };
      conn.connect({
        host: t.address, port: t.port, username: t.username, privateKey: t.privateKey,
        ...(t.passphrase ? { passphrase: t.passphrase } : {}),
        hostVerifier: hostVerifier,
        readyTimeout: t.readyTimeoutMs ?? 15_000,
        // Only the key given: no agent, no password, no keyboard-interactive.
        authHandler: ['publickey'],
      });
    });
  }

  /** Runs a command; stdin from a file or a string; each stdout line also goes to onLine. */
  exec(command: string, o: { stdin?: string | { file: string }; onLine?: (line: string) => void; timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.#conn.exec(command, (err, stream) => {
        if (err) {
          reject(err);
          return;
        }
        let stdout = '';
        let stderr = '';
        let partial = '';
        const timer = setTimeout(() => {
          stream.close();
          reject(new Error(`timed out after ${Math.round((o.timeoutMs ?? 600_000) / 1000)} s`));
        }, o.timeoutMs ?? 600_000);
        stream.on('data', (d: Buffer) => {
          const s = d.toString('utf8');
          if (stdout.length < OUTPUT_CAP) stdout += s;
          if (o.onLine) {
            partial += s;
            const lines = partial.split('\n');
            partial = lines.pop() ?? '';
            for (const l of lines) o.onLine(l);
          }
        });
        stream.stderr.on('data', (d: Buffer) => {
          if (stderr.length < OUTPUT_CAP) stderr += d.toString('utf8');
        });
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          if (o.onLine && partial) o.onLine(partial);
          resolve({ code, stdout, stderr });
        });
        if (o.stdin === undefined) stream.end();
        else if (typeof o.stdin === 'string') stream.end(o.stdin);
        else pipeline(createReadStream(o.stdin.file), stream).catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      });
    });
  }

  end(): void {
    this.#conn.end();
  }
}
