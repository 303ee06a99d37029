// What a host downloads to run the agent: the agent's runtime files (the `breakwater` launcher,
// the CLI, the agent and the packages and npm modules it depends on, found from package.json
// files) and, for hosts without Node 24, the Node binary the server itself runs on. Each is a
// tarball built once, kept under the data directory, and named by its sha256 in the scripts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { InstallBundlePart } from '@breakwater/contracts';

export interface BundleFile {
  part: InstallBundlePart;
  path: string;
  sha256: string;
  bytes: number;
}

export interface InstallBundleDeps {
  /** The repository (or installed tree) the server runs from. */
  rootDir: string;
  /** Where built tarballs are kept. */
  cacheDir: string;
  /** The Node binary shipped to hosts without Node 24 (the server's own). */
  nodeBinary: string;
  nodeVersion: string;
}

/** The runtime path inside an install: bin/breakwater.mjs looks for it there when the system's Node is older. */
export const RUNTIME_NODE = '.runtime/node_modules/node/bin/node';

interface Pkg { name?: string; dependencies?: Record<string, string> }

export function defaultBundleDeps(dataDir: string): InstallBundleDeps {
  return {
    rootDir: join(dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..', '..'),
    cacheDir: join(dataDir, 'install-bundles'),
    nodeBinary: process.execPath,
    nodeVersion: process.version,
  };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => { if (err.length < 4096) err += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err.trim()}`))));
  });
}

const REPRODUCIBLE = ['--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--sort=name'];

export class InstallBundles {
  readonly #deps: InstallBundleDeps;
  readonly #built = new Map<InstallBundlePart, Promise<BundleFile>>();

  constructor(deps: InstallBundleDeps) {
    this.#deps = deps;
  }

  /** Built on first use and kept; a failed build is tried again next time. */
  get(part: InstallBundlePart): Promise<BundleFile> {
    let p = this.#built.get(part);
    if (!p) {
      p = part === 'agent' ? this.#buildAgent() : this.#buildRuntime();
      p.catch(() => this.#built.delete(part));
      this.#built.set(part, p);
    }
    return p;
  }

  /** The files of the agent tarball, relative to the root. */
  agentFiles(): string[] {
    const root = this.#deps.rootDir;
    const files = new Set<string>(['package.json', 'bin/breakwater.mjs', 'deploy/systemd/breakwater-agent.service', 'apps/cli/package.json']);
    const addTree = (dir: string) => {
      if (!existsSync(join(root, dir))) return;
      for (const e of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const rel = relative(root, join(e.parentPath, e.name));
        if (/\.test\.tsx?$/.test(e.name) || rel.includes('/test-results/')) continue;
        files.add(rel);
      }
    };
    addTree('apps/cli/src');
    // Workspace packages and npm modules the agent depends on, transitively.
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const link = join('node_modules', name);
      const abs = join(root, link);
      if (!existsSync(abs)) throw new Error(`install bundle: ${name} is not installed under ${root}/node_modules`);
      let dir: string;
      if (lstatSync(abs).isSymbolicLink()) {
        files.add(link); // the workspace symlink itself, stored as a link
        dir = relative(root, join(dirname(abs), readlinkSync(abs)));
        files.add(join(dir, 'package.json'));
        addTree(join(dir, 'src'));
      } else {
        dir = link;
        addTree(dir);
      }
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Pkg;
      for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
    };
    visit('@breakwater/agent');
    return [...files].sort();
  }

  async #buildAgent(): Promise<BundleFile> {
    const { rootDir, cacheDir } = this.#deps;
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const list = this.agentFiles();
    const out = join(cacheDir, 'agent.tar.gz');
    const listFile = join(cacheDir, `agent-files.${process.pid}.txt`);
    await writeFile(listFile, list.join('\n') + '\n');
    try {
      await run('tar', ['-czf', `${out}.tmp`, ...REPRODUCIBLE, '--no-recursion', '-C', rootDir, '-T', listFile], rootDir);
      await rename(`${out}.tmp`, out);
    } finally {
      await rm(listFile, { force: true });
    }
    return { part: 'agent', path: out, sha256: await sha256File(out), bytes: statSync(out).size };
  }

  async #buildRuntime(): Promise<BundleFile> {
    const { cacheDir, nodeBinary, nodeVersion } = this.#deps;
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const size = statSync(nodeBinary).size;
    const out = join(cacheDir, `node-${nodeVersion}-${process.platform}-${process.arch}-${size}.tar.gz`);
    const shaFile = `${out}.sha256`;
    if (existsSync(out) && existsSync(shaFile)) {
      return { part: 'runtime', path: out, sha256: (await readFile(shaFile, 'utf8')).trim(), bytes: statSync(out).size };
    }
    // The binary goes where bin/breakwater.mjs looks for a newer Node than the system's.
    const stage = join(cacheDir, `stage.${process.pid}`);
    await rm(stage, { recursive: true, force: true });
    await mkdir(join(stage, dirname(RUNTIME_NODE)), { recursive: true });
    try {
      await run('cp', [nodeBinary, join(stage, RUNTIME_NODE)], stage);
      await run('tar', ['-cf', `${out}.tmp`, '-I', 'gzip -1', ...REPRODUCIBLE, '-C', stage, '.runtime'], stage);
      await rename(`${out}.tmp`, out);
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
    const sha = await sha256File(out);
    await writeFile(shaFile, sha + '\n');
    return { part: 'runtime', path: out, sha256: sha, bytes: statSync(out).size };
  }

  /** The Node major version the runtime tarball carries. */
  get nodeMajor(): number {
    return Number(this.#deps.nodeVersion.replace(/^v/, '').split('.')[0]);
  }
}
