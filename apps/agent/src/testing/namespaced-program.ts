// For code under test that spawns a program itself (tcpdump, nft): a wrapper that runs it
// inside a test's namespace. It execs, so its pid becomes the program's and signals reach it.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function namespacedProgram(ns: string, program: string): { path: string; dispose(): void } {
  if (!/^[A-Za-z0-9_-]+$/.test(ns) || !/^[A-Za-z0-9_./-]+$/.test(program)) throw new Error(`namespacedProgram: unexpected ${ns} ${program}`);
  const dir = mkdtempSync(join(tmpdir(), 'bw-nsprog-'));
  const path = join(dir, program.split('/').at(-1)!);
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} ${program} "$@"\n`);
  chmodSync(path, 0o755);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
