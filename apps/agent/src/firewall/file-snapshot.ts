// The bytes (and mode) of a few configuration files, or their absence, taken before a change and
// put back exactly: the ufw and firewalld profile firewalls keep their previous state this way.
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** Per path: the content in base64 and the mode, or null when the file did not exist. */
export type FileSnapshot = Record<string, { data: string; mode: number } | null>;

export function snapshotFiles(paths: readonly string[]): FileSnapshot {
  const out: FileSnapshot = {};
  for (const p of paths) out[p] = existsSync(p) ? { data: readFileSync(p).toString('base64'), mode: statSync(p).mode & 0o7777 } : null;
  return out;
}

/** Writes each file back (temporary file, then rename) or removes it when it was absent. */
export function restoreFiles(snapshot: FileSnapshot): void {
  for (const [p, f] of Object.entries(snapshot)) {
    if (f === null) {
      rmSync(p, { force: true });
      continue;
    }
    const tmp = `${p}.bw-tmp-${process.pid}`;
    writeFileSync(tmp, Buffer.from(f.data, 'base64'), { mode: f.mode });
    chmodSync(tmp, f.mode);
    try {
      renameSync(tmp, p);
    } catch (e) {
      // A file that is itself a mount point (bind-mounted into a container) cannot be renamed over: written in place.
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
      writeFileSync(p, Buffer.from(f.data, 'base64'));
      chmodSync(p, f.mode);
    }
  }
}

/** The names of the files in a directory (none when it is absent). */
export function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
