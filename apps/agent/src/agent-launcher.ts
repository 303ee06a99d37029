// What `breakwater agent run` loads first. The agent proper (capture, decoders, detection
// engine) is imported only when it starts, which lets two things happen before it loads:
// - V8's young generation is kept at its initial size. Left alone it grows to 16 MiB and more
//   while modules load and never gives the memory back; the agent allocates little per packet
//   and gains nothing from it.
// - Node's compile cache is on, primed by a short-lived child. Node strips TypeScript with a
//   WebAssembly module whose memory grows with every file stripped and is never returned
//   (measured here: ~30 MB for the agent's modules). With a primed cache the long-lived
//   process loads the stripped code and never strips the agent's files itself.
import { spawnSync } from 'node:child_process';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { AgentConfig } from './agent-config.ts';
import type { AgentDeps } from './agent.ts';
import { HOST_MODULES } from './host-deps.ts';

export type { AgentDeps } from './agent.ts';

const AGENT_MODULE = pathToFileURL(join(import.meta.dirname, 'agent.ts')).href;
/** What the agent loads when it starts: itself and the host's capture, firewall and counters. */
const MODULES = [AGENT_MODULE, ...HOST_MODULES.map((m) => pathToFileURL(join(import.meta.dirname, m)).href)];

/** Where the compile cache lives: beside the spool, in the agent's state directory. */
export function compileCacheDir(config: Pick<AgentConfig, 'spool_dir'>): string {
  return join(dirname(config.spool_dir), 'compile-cache');
}

/** Loads the agent's modules in a child with the cache on, so the cache holds them all. */
export function primeCompileCache(dir: string): { ok: boolean; message: string } {
  const script = `import { enableCompileCache, flushCompileCache } from 'node:module';
enableCompileCache(${JSON.stringify(dir)}); for (const m of ${JSON.stringify(MODULES)}) await import(m); flushCompileCache();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
  return { ok: r.status === 0, message: r.error?.message ?? r.stderr.trim().split('\n').slice(-1)[0] ?? '' };
}

export function createAgent(config: AgentConfig, deps: AgentDeps) {
  let inner: { start(): Promise<void>; stop(): Promise<void> } | null = null;
  const log = deps.log ?? ((m: string) => process.stderr.write(`[agent] ${m}\n`));
  return {
    async start(): Promise<void> {
      setFlagsFromString('--semi-space-growth-factor=1');
      const dir = compileCacheDir(config);
      const primed = primeCompileCache(dir);
      if (!primed.ok) log(`compile cache not primed (${primed.message}); going on without it`);
      enableCompileCache(dir);
      const agent = await import('./agent.ts');
      flushCompileCache();
      inner = agent.createAgent(config, { ...deps, log });
      await inner.start();
    },
    async stop(): Promise<void> {
      await inner?.stop();
      inner = null;
    },
  };
}
