// Where the fleet API may read and write on this host: only inside the roots the agent's own
// config lists (`file_roots`; none by default, so files and file log streams are off until
// the operator of this host says otherwise — the server can never widen them). A path is
// refused when it is relative or names `..`, when its real path (every symlink resolved)
// lies outside every root — a symlink inside a root that points out is an escape — and
// whenever it is the agent's own config (which holds its key), its spool or their
// temporary files, even inside a root.
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import type { FleetRefusal } from '@breakwater/contracts';

export class FileRefusal extends Error {
  readonly code: FleetRefusal;
  constructor(code: FleetRefusal, message: string) {
    super(message);
    this.code = code;
  }
}

export interface FileRootsOptions {
  roots: readonly string[];
  /** Never reachable, even inside a root: the config file (and its temp files), the spool, state. */
  forbidden: readonly string[];
  maxBytes: number;
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** Checks a requested path's spelling: absolute, no `..`, no NUL, bounded. */
export function checkSpelling(p: string): void {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) throw new FileRefusal('bad_path', 'must be an absolute path of at most 4096 characters');
  if (p.includes('\0')) throw new FileRefusal('bad_path', 'must not contain NUL');
  if (!isAbsolute(p)) throw new FileRefusal('bad_path', `${JSON.stringify(p)} is not absolute; give the full path inside one of the allowed roots`);
  if (p.split('/').includes('..')) throw new FileRefusal('bad_path', `${JSON.stringify(p)} contains "..": name the file directly`);
}

async function real(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

export class FileRoots {
  readonly #o: FileRootsOptions;

  constructor(o: FileRootsOptions) {
    this.#o = o;
  }

  get maxBytes(): number {
    return this.#o.maxBytes;
  }

  get enabled(): boolean {
    return this.#o.roots.length > 0;
  }

  async #roots(): Promise<string[]> {
    const out: string[] = [];
    for (const r of this.#o.roots) {
      const x = await real(r);
      if (x) out.push(x);
    }
    return out;
  }

  async #forbidden(): Promise<string[]> {
    const out = new Set<string>();
    for (const f of this.#o.forbidden) {
      out.add(f);
      const x = await real(f);
      if (x) out.add(x);
    }
    return [...out];
  }

  /** Refuses a resolved path outside the roots or on a forbidden one. */
  async #confine(requested: string, resolved: string): Promise<void> {
    const roots = await this.#roots();
    if (!roots.some((r) => inside(resolved, r))) {
      const how = resolved === requested ? '' : ` (it resolves to ${resolved})`;
      throw new FileRefusal('outside_roots', `${requested} is outside the roots this agent allows${how}: ${this.#o.roots.join(', ')}`);
    }
    for (const f of await this.#forbidden()) {
      // the config file, anything beside it named after it (its temp files), and directories such as the spool
      if (inside(resolved, f) || resolved.startsWith(`${f}.`)) {
        throw new FileRefusal('forbidden_path', `${requested} belongs to the agent itself (its key, config or spool) and is never served`);
      }
    }
  }

  #enabledOrThrow(): void {
    if (!this.enabled) throw new FileRefusal('files_disabled', 'this agent allows no files: its config has no file_roots');
  }

  /** Opens a regular file inside the roots for reading; the handle is the file that was checked. */
  async openForRead(requested: string): Promise<{ path: string; handle: FileHandle; size: number }> {
    this.#enabledOrThrow();
    checkSpelling(requested);
    const resolved = await real(requested);
    if (resolved === null) throw new FileRefusal('not_found', `${requested} does not exist`);
    await this.#confine(requested, resolved);
    // O_NOFOLLOW: were the checked path swapped for a symlink since, the open fails.
    let handle: FileHandle;
    try {
      handle = await open(resolved, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      throw new FileRefusal('io_error', `${requested}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new FileRefusal('not_a_file', `${requested} is not a regular file`);
    }
    return { path: resolved, handle, size: st.size };
  }

  /** Where an upload to `dest` goes: its directory resolved, the target confined and not a directory or link. */
  async resolveForWrite(dest: string, size: number): Promise<string> {
    this.#enabledOrThrow();
    checkSpelling(dest);
    if (dest.endsWith('/')) throw new FileRefusal('bad_path', `${dest} names a directory; give the file's full path`);
    if (size > this.#o.maxBytes) throw new FileRefusal('too_large', `the file (${size} bytes) is over this agent's limit of ${this.#o.maxBytes} bytes (file_max_bytes)`);
    const dir = await real(dirname(dest));
    if (dir === null) throw new FileRefusal('not_found', `${dirname(dest)} does not exist`);
    const target = join(dir, basename(dest));
    await this.#confine(dest, target);
    try {
      const st = await lstat(target);
      if (st.isSymbolicLink()) throw new FileRefusal('forbidden_path', `${dest} is a symbolic link; it is not written through`);
      if (!st.isFile()) throw new FileRefusal('not_a_file', `${dest} exists and is not a regular file`);
    } catch (err) {
      if (err instanceof FileRefusal) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new FileRefusal('io_error', `${dest}: ${(err as Error).message}`);
    }
    return target;
  }
}
