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
import { HOST_MODULES, OPTIONAL_MODULES } from './host-deps.ts';

export type { AgentDeps } from './agent.ts';

const AGENT_MODULE = pathToFileURL(join(import.meta.dirname, 'agent.ts')).href;
/** What the agent loads when it starts: itself and the host's capture, firewall and counters. */
export const AGENT_MODULES = [AGENT_MODULE, ...HOST_MODULES.map((m) => pathToFileURL(join(import.meta.dirname, m)).href)];
/** ... and what it loads only when configured to: in the cache too, so it is never stripped in the agent. */
const CACHED_MODULES = [...AGENT_MODULES, ...OPTIONAL_MODULES.map((m) => pathToFileURL(join(import.meta.dirname, m)).href)];

/** Where the compile cache lives: beside the spool, in the agent's state directory. */
export function compileCacheDir(config: Pick<AgentConfig, 'spool_dir'>): string {
  return join(dirname(config.spool_dir), 'compile-cache');
}

/** Loads the agent's modules in a child with the cache on, so the cache holds them all. */
export function primeCompileCache(dir: string): { ok: boolean; message: string } {
  const script = `import { enableCompileCache, flushCompileCache } from 'node:module';
enableCompileCache(${JSON.stringify(dir)}); for (const m of ${JSON.stringify(CACHED_MODULES)}) await import(m); flushCompileCache();`;
  // The same V8 flags as this process (AGENT_NODE_FLAGS): V8 rejects code cached under other flags.
  const r = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
  return { ok: r.status === 0, message: r.error?.message ?? r.stderr.trim().split('\n').slice(-1)[0] ?? '' };
}

/**
 * How the long-lived agent process is started (measured by bench/agent-footprint):
 * - `--max-semi-space-size=1`: V8's young generation capped at 1 MiB per semi-space (the default
 *   grows to 16 MiB and keeps it): ~10 MB less RSS; the agent allocates little per packet, so the
 *   extra scavenges cost no measurable CPU.
 * - glibc malloc: 2 arenas instead of 8 per core, and blocks of 64 KiB and more (tcpdump's pipe
 *   reads) from mmap, so they go back to the system when freed instead of fragmenting the heap
 *   during a flood and never shrinking.
 * These must hold from the process's start, so `breakwater agent run` replaces itself once with
 * them (process.execve: same pid, so systemd and `ip netns exec` see one process).
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1'];
export const AGENT_MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072';
const TUNED_ENV = 'BREAKWATER_AGENT_TUNED';

/** The argv and environment of the tuned process, or null when this one already is. */
export function tunedExec(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): { argv: string[]; env: Record<string, string> } | null {
  if (env[TUNED_ENV] === '1') return null;
  const flags = AGENT_NODE_FLAGS.filter((f) => !execArgv.some((a) => a.split('=')[0] === f.split('=')[0]));
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${AGENT_MALLOC_TUNABLES}` : AGENT_MALLOC_TUNABLES;
  const clean = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return { argv: [argv[0]!, ...flags, ...execArgv, ...argv.slice(1)], env: { ...clean, GLIBC_TUNABLES: tunables, [TUNED_ENV]: '1' } };
}

/** Replaces this process with the tuned one (see AGENT_NODE_FLAGS); returns when it cannot. */
export function execTuned(log: (m: string) => void = (m) => process.stderr.write(`[agent] ${m}\n`)): void {
  const t = tunedExec(process.argv, process.execArgv, process.env);
  if (!t) return;
  if (typeof process.execve !== 'function') {
    log('process.execve is not available: running without the memory tuning');
    return;
  }
  try {
    process.execve(process.execPath, t.argv, t.env);
  } catch (err) {
    log(`could not re-execute with the memory tuning (${(err as Error).message}); going on without it`);
  }
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
