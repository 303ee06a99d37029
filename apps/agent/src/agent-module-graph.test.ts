// What the long-lived agent process loads: `breakwater agent run` imports this package's index,
// then the launcher imports the agent proper and the host's capture, firewall and counters
// (AGENT_MODULES). None of it may load TypeBox (~680 modules, ~23 MB resident; see
// bench/agent-footprint): the agent reads contracts' plain values and checks with plain schemas.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AGENT_MODULES } from './agent-launcher.ts';

/** Every module URL loaded (in a fresh process) by importing `entries` in order. */
function loadedBy(entries: string[]): string[] {
  const script = `import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
for (const m of ${JSON.stringify(entries)}) await import(m);
process.stdout.write(JSON.stringify(seen));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

test('the agent process (the CLI\'s entry, the agent proper, its host modules) never loads TypeBox', () => {
  const index = pathToFileURL(join(import.meta.dirname, 'index.ts')).href;
  const loaded = loadedBy([index, ...AGENT_MODULES]);
  // The probe really loaded the agent: its engine, its capture and the contracts it reads.
  for (const part of ['/apps/agent/src/agent.ts', '/apps/agent/src/capture/tcpdump-source.ts', '/packages/detection/src/engine.ts', '/packages/contracts/src/plain.ts']) {
    assert.ok(loaded.some((u) => u.endsWith(part)), `${part} not loaded`);
  }
  const typebox = loaded.filter((u) => /\/node_modules\/typebox\//.test(u));
  assert.deepEqual(typebox.slice(0, 5), [], `TypeBox loaded (${typebox.length} of ${loaded.length} modules)`);
  // Contracts only through its plain entry: its other files build TypeBox schemas.
  const contracts = loaded.filter((u) => u.includes('/packages/contracts/src/'));
  const viaIndex = contracts.filter((u) => u.endsWith('/packages/contracts/src/index.ts'));
  assert.deepEqual(viaIndex, [], 'the contracts index (every schema) was loaded');
  // prom-client (and OpenTelemetry's API behind it) only when metrics_listen is set.
  assert.deepEqual(loaded.filter((u) => /\/node_modules\/(prom-client|@opentelemetry)\//.test(u)).slice(0, 3), [], 'prom-client loaded without metrics_listen');
});

test('the probe would see TypeBox: the contracts index loads it', () => {
  const loaded = loadedBy([import.meta.resolve('@breakwater/contracts')]);
  assert.ok(loaded.some((u) => /\/node_modules\/typebox\//.test(u)));
});
