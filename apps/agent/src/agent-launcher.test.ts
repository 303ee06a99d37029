// The agent's process tuning: `breakwater agent run` replaces itself once (same pid) with V8's
// young generation capped and glibc malloc tuned; a process already tuned is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AGENT_MALLOC_TUNABLES, tunedExec } from './agent-launcher.ts';

test('tunedExec: node flags before the script, given flags kept, malloc tunables appended to any the host set, once', () => {
  const t = tunedExec(['/usr/bin/node', '/opt/bw/bin/breakwater.mjs', 'agent', 'run'], ['--cpu-prof'], { PATH: '/bin', GLIBC_TUNABLES: 'glibc.foo=1', UNSET: undefined });
  assert.deepEqual(t?.argv, ['/usr/bin/node', '--max-semi-space-size=1', '--cpu-prof', '/opt/bw/bin/breakwater.mjs', 'agent', 'run']);
  assert.deepEqual(t?.env, { PATH: '/bin', GLIBC_TUNABLES: `glibc.foo=1:${AGENT_MALLOC_TUNABLES}`, BREAKWATER_AGENT_TUNED: '1' });
  // An operator's own semi-space size wins.
  assert.deepEqual(tunedExec(['n', 's'], ['--max-semi-space-size=4'], {})?.argv, ['n', '--max-semi-space-size=4', 's']);
  assert.equal(tunedExec(['n', 's'], [], { BREAKWATER_AGENT_TUNED: '1' }), null);
});

test('execTuned replaces the process in place: same pid, flags and tunables in force, no second exec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-tuned-'));
  const script = join(dir, 'probe.mjs');
  const launcher = pathToFileURL(join(import.meta.dirname, 'agent-launcher.ts')).href;
  writeFileSync(script, `import { execTuned } from ${JSON.stringify(launcher)};
console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, tunables: process.env.GLIBC_TUNABLES ?? null }));
execTuned();
console.log('done');
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'BREAKWATER_AGENT_TUNED' && k !== 'GLIBC_TUNABLES'));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3, r.stdout);
  const before = JSON.parse(lines[0]!);
  const after = JSON.parse(lines[1]!);
  assert.equal(after.pid, before.pid, 'execve keeps the pid');
  assert.deepEqual(before.execArgv, []);
  assert.deepEqual(after.execArgv, ['--max-semi-space-size=1']);
  assert.equal(after.tunables, AGENT_MALLOC_TUNABLES);
  assert.equal(lines[2], 'done');
});

// Node writes the compile cache before process.execve (as at exit): the CLI's own modules, stripped
// by the first process, are not stripped again by the tuned one, which would keep the stripper (~30 MB).
test('execTuned leaves what this process stripped in the compile cache: the tuned process never loads the TypeScript stripper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-tuned-cache-'));
  const script = join(dir, 'probe.mjs');
  // A stand-in for the CLI's own modules, loaded (and stripped) before execTuned as bin/breakwater.mjs loads them.
  writeFileSync(join(dir, 'cli-part.ts'), 'export const part: string = "cli";\n');
  const launcher = pathToFileURL(join(import.meta.dirname, 'agent-launcher.ts')).href;
  writeFileSync(script, `import { enableCompileCache } from 'node:module';
enableCompileCache(${JSON.stringify(join(dir, 'cache'))});
await import(${JSON.stringify(pathToFileURL(join(dir, 'cli-part.ts')).href)});
const { execTuned } = await import(${JSON.stringify(launcher)});
console.log(JSON.stringify({ tuned: process.env.BREAKWATER_AGENT_TUNED === '1', stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));
execTuned();
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'BREAKWATER_AGENT_TUNED' && k !== 'GLIBC_TUNABLES' && k !== 'NODE_COMPILE_CACHE'));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const [first, tuned] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tuned: boolean; stripper: boolean });
  assert.deepEqual(first, { tuned: false, stripper: true });
  assert.deepEqual(tuned, { tuned: true, stripper: false }, 'the tuned process stripped TypeScript again');
});
