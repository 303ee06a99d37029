// Paths on this host that an adapter's settings name: control sockets it connects to, files it
// writes. Programs it runs come from the server's config alone (LocalPaths); the API may name a
// socket or file only inside the directories that config allows, so an admin token cannot point
// the server at another daemon's socket (docker.sock) or make it write a file anywhere.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative } from 'node:path';
import { AdapterError, type AdapterDeps, type LocalPaths } from '../../adapter.ts';

/** Where distributions put the speakers' sockets, and where the ExaBGP bridge's socket is documented to go. */
export const DEFAULT_SOCKET_DIRS: readonly string[] = ['/run/bird', '/var/run/bird', '/run/frr', '/var/run/frr', '/run/breakwater', '/var/run/breakwater', '/run/gobgp', '/var/run/gobgp'];
export const DEFAULT_BIRDC = 'birdc';

export function localPaths(deps: Pick<AdapterDeps, 'local'>): { birdc: string; birdIncludeDir: string | null; socketDirs: readonly string[] } {
  return {
    birdc: deps.local?.birdc ?? DEFAULT_BIRDC,
    birdIncludeDir: deps.local?.birdIncludeDir ?? null,
    socketDirs: deps.local?.socketDirs ?? DEFAULT_SOCKET_DIRS,
  };
}

/** The real path of the longest part of `p` that exists, with the rest appended (symlinks resolved). */
function realish(p: string): string {
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(head.slice(up.length).replace(/^\/+/, ''));
    head = up;
  }
  const real = existsSync(head) ? realpathSync(head) : head;
  return tail.length ? normalize(`${real}/${tail.join('/')}`) : real;
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(realish(dir), realish(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** An absolute path, normalised as given (no "..", no NUL or newline), or an AdapterError naming `key`. */
export function absolutePath(key: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || !isAbsolute(value) || /[\0\n\r]/.test(value) || normalize(value) !== value) {
    throw AdapterError.about(key, `must be the absolute path of ${what}`);
  }
  return value;
}

/** A socket (or socket directory) path inside one of the allowed directories. */
export function confinedSocket(key: string, value: unknown, what: string, dirs: readonly string[]): string {
  const p = absolutePath(key, value, what);
  if (!dirs.some((d) => isInside(d, p))) {
    throw AdapterError.about(key, `${JSON.stringify(p.slice(0, 200))} is outside the directories the server's config allows for control sockets (mitigation.socketDirs: ${dirs.join(', ') || 'none'})`);
  }
  return p;
}

/** Refuses an option that names a program: what the server runs is its own config's business. */
export function refuseProgramOption(options: Record<string, unknown>, key: string, configKey: string): void {
  if (options && typeof options === 'object' && key in options) {
    throw AdapterError.about(`options.${key}`, `not accepted: the program the server runs comes from the server's own config (${configKey}), never from the API`);
  }
}

export type { LocalPaths };
