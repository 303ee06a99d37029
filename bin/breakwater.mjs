#!/usr/bin/env node
// Launcher for the `breakwater` command. The sources are TypeScript run by Node's
// type stripping, which needs Node >= 24; on an older system Node the set-up
// (./bw setup) installs node@24 into .runtime/ and this launcher re-executes with it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const local = join(root, '.runtime', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(`breakwater needs Node.js >= 24 (this is ${process.version}); run ./bw setup first\n`);
    process.exit(1);
  }
  const r = spawnSync(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// Node keeps the code it compiled (and the TypeScript it stripped) on disk: later starts skip
// the work, and a long-lived agent never loads the stripper (~20 MB it does not give back).
// NODE_COMPILE_CACHE picks the directory (the systemd unit points it at the state directory);
// otherwise it is the system's temporary directory. A read-only place only means no cache.
enableCompileCache();
await import(join(root, 'apps', 'cli', 'src', 'main.ts'));
