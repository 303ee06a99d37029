// DESIGN.md's arrows ("Arrows allowed") as data, and the check that every import in the tree
// follows them. Imports are read with TypeScript's pre-processor, so comments and strings that
// merely mention a path do not count, and `import type`, re-exports and `import()` do.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';

/** The workspace packages each package's or app's runtime source may import (itself aside). */
export const ARROWS: Readonly<Record<string, readonly string[]>> = {
  contracts: [],
  detection: ['contracts'],
  packets: ['contracts'],
  // sFlow carries sampled packet headers: they are decoded by the one packet decoder, not a copy.
  flows: ['contracts', 'packets'],
  outbound: ['contracts'],
  // The agent API client, spool and sender: shared by the agent and the flow collector.
  uplink: ['contracts'],
  // They reach the outside only through outbound, and never the database.
  mitigation: ['contracts', 'outbound'],
  notify: ['contracts', 'outbound'],
  scrubbing: ['contracts', 'outbound'],
  runbooks: ['contracts', 'outbound'],
  // Offline forensics is the detection engine run over capture files.
  analysis: ['contracts', 'detection', 'packets', 'flows'],
  db: ['contracts'],
  // Firewall profiles are data and parsers: no I/O, nothing but the kinds from contracts.
  'firewall-profiles': ['contracts'],
  // The test bed serves tests only and depends on no workspace package.
  testing: [],
  web: ['contracts'],
};

/** Apps that other apps may import: `breakwater` is one command that runs them. */
const APPS_THE_CLI_RUNS = ['server', 'agent', 'collector'];

export interface Workspace {
  name: string;
  kind: 'package' | 'app';
  /** Repo-relative folder, e.g. `packages/packets`. */
  dir: string;
  dependencies: readonly string[];
  devDependencies: readonly string[];
}

export interface SourceFile {
  /** Repo-relative, `/`-separated. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  specifier: string;
  why: string;
}

const WORKSPACE_SPECIFIER = /^@breakwater\/([a-z0-9-]+)(\/.*)?$/;

/**
 * Test code: tests, contract suites (`x.contract.ts`, beside what they prove), `testing/` and
 * `test/` folders, scripts and config beside `src/`. It may use the test bed and other packages'
 * `./testing` entries, never their files.
 */
export function isTestCode(path: string, ws: Workspace): boolean {
  const inside = path.slice(ws.dir.length + 1);
  if (!inside.startsWith('src/')) return true;
  return /\.(test|contract)\.tsx?$/.test(inside) || /(^|\/)(testing|test)\//.test(inside);
}

/** Why `own` may not import `target` from runtime source (or from tests, `test`), or null if it may. */
function mayImport(own: Workspace, target: Workspace, test: boolean): string | null {
  if (target.kind === 'app') {
    if (own.kind === 'package') return 'a package imports an app';
    if (test || (own.name === 'cli' && APPS_THE_CLI_RUNS.includes(target.name))) return null;
    return `app ${own.name} imports app ${target.name}`;
  }
  // Apps' tests drive whole systems (a server and its adapters' fakes): any package goes.
  if (own.kind === 'app' && test) return null;
  if (target.name === 'testing') return test ? null : 'the test bed is for tests only';
  const allowed = own.kind === 'app' && own.name !== 'web' ? null : ARROWS[own.name];
  if (allowed === undefined) return `no arrows are declared for ${own.name}: add them to ARROWS and to DESIGN.md`;
  if (allowed === null || allowed.includes(target.name)) return null;
  return `${own.name}${test ? "'s tests" : ''} may import only ${allowed.join(', ') || 'no workspace package'}${test ? ' and the test bed' : ''}`;
}

/** Every import of one file that breaks an arrow, with the reason. */
export function checkFile(file: SourceFile, workspaces: readonly Workspace[]): Violation[] {
  const own = workspaces.find((w) => file.path.startsWith(w.dir + '/'));
  const test = own ? isTestCode(file.path, own) : true;
  const folder = own ? own.dir : file.path.split('/')[0]!;
  const out: Violation[] = [];
  const flag = (specifier: string, why: string) => out.push({ file: file.path, specifier, why });
  for (const { fileName: specifier } of ts.preProcessFile(file.text, true, true).importedFiles) {
    if (specifier.startsWith('.')) {
      const target = posix.normalize(posix.join(posix.dirname(file.path), specifier));
      if (!target.startsWith(folder + '/')) flag(specifier, `reaches outside ${folder}/ by a relative path: import the package (or its ./testing entry)`);
      continue;
    }
    const m = WORKSPACE_SPECIFIER.exec(specifier);
    if (!m) continue;
    const sub = m[2] ?? '';
    const target = workspaces.find((w) => w.name === m[1]);
    if (/^\/(src|test)(\/|$)/.test(sub)) flag(specifier, "imports another package's files: use an entry of its package.json exports");
    if (!target) {
      flag(specifier, `no workspace is called ${m[1]}`);
      continue;
    }
    if (!own || target === own) continue;
    if (!test && sub === '/testing') flag(specifier, 'runtime source imports a test-only entry');
    const why = mayImport(own, target, test);
    if (why) flag(specifier, why);
    const declared = test ? [...own.dependencies, ...own.devDependencies] : own.dependencies;
    if (!declared.includes(`@breakwater/${target.name}`)) flag(specifier, `not declared in ${own.dir}/package.json ${test ? 'dependencies or devDependencies' : 'dependencies'}`);
  }
  return out;
}

/** What each workspace's package.json declares that breaks an arrow. */
export function checkManifest(ws: Workspace, workspaces: readonly Workspace[]): Violation[] {
  const out: Violation[] = [];
  const file = `${ws.dir}/package.json`;
  for (const dep of ws.dependencies) {
    const m = WORKSPACE_SPECIFIER.exec(dep);
    const target = m && workspaces.find((w) => w.name === m[1]);
    if (!target) continue;
    if (target.name === 'testing') out.push({ file, specifier: dep, why: 'the test bed is a devDependency, never a runtime one' });
    else if (target.kind === 'app' && ws.kind === 'package') out.push({ file, specifier: dep, why: 'a package depends on an app' });
    else if (ws.kind === 'package' && !(ARROWS[ws.name] ?? []).includes(target.name)) out.push({ file, specifier: dep, why: `${ws.name} may depend only on ${(ARROWS[ws.name] ?? []).join(', ') || 'no workspace package'}` });
  }
  return out;
}

/** The workspaces under packages/ and apps/ of the repository at `root`. */
export function readWorkspaces(root: string): Workspace[] {
  const out: Workspace[] = [];
  for (const [folder, kind] of [['packages', 'package'], ['apps', 'app']] as const) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = `${folder}/${entry.name}`;
      let manifest: { name?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      try {
        manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      const name = (manifest.name ?? '').replace(/^@breakwater\//, '');
      out.push({ name, kind, dir, dependencies: Object.keys(manifest.dependencies ?? {}), devDependencies: Object.keys(manifest.devDependencies ?? {}) });
    }
  }
  return out;
}

const SKIP = new Set(['node_modules', 'dist', 'fixtures', 'test-results']);

/** Every .ts/.tsx file of the workspaces and the benches. */
export function readSources(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push({ path, text: readFileSync(join(root, path), 'utf8') });
    }
  };
  for (const top of ['packages', 'apps', 'bench']) walk(top);
  return out;
}

/** The repository this file is part of. */
export const REPO_ROOT = join(dirname(import.meta.dirname), '..', '..');
