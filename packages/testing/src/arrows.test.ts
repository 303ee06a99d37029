// DESIGN.md's arrows hold over the whole tree: which workspace may import which, no package
// importing an app, nobody reaching into another package's files (src/, test/) instead of its
// exported entries, and package.json files that say the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFile, checkManifest, readSources, readWorkspaces, REPO_ROOT, type Violation, type Workspace } from './arrows.ts';

const show = (vs: Violation[]) => vs.map((v) => `${v.file}: '${v.specifier}': ${v.why}`).join('\n');

test('every import in packages, apps and benches follows the arrows', () => {
  const workspaces = readWorkspaces(REPO_ROOT);
  assert.ok(workspaces.some((w) => w.name === 'contracts') && workspaces.some((w) => w.name === 'server'), 'workspaces found');
  const files = readSources(REPO_ROOT);
  assert.ok(files.length > 100, `found ${files.length} source files`);
  const violations = files.flatMap((f) => checkFile(f, workspaces));
  assert.equal(show(violations), '');
});

test("every package.json's dependencies follow the arrows", () => {
  const workspaces = readWorkspaces(REPO_ROOT);
  assert.equal(show(workspaces.flatMap((w) => checkManifest(w, workspaces))), '');
});

// The check itself, on a small made-up tree: each broken arrow is caught, and only those.
const ws = (name: string, kind: Workspace['kind'], dependencies: string[] = [], devDependencies: string[] = []): Workspace => ({
  name, kind, dir: `${kind === 'app' ? 'apps' : 'packages'}/${name}`, dependencies: dependencies.map((d) => `@breakwater/${d}`), devDependencies: devDependencies.map((d) => `@breakwater/${d}`),
});
const TREE = [
  ws('contracts', 'package'), ws('packets', 'package', ['contracts']), ws('detection', 'package', ['contracts']),
  ws('outbound', 'package', ['contracts']), ws('mitigation', 'package', ['contracts', 'outbound', 'db'], ['testing']), ws('db', 'package', ['contracts']),
  ws('testing', 'package'), ws('server', 'app', ['contracts', 'db', 'mitigation']), ws('web', 'app', ['contracts'], ['server', 'testing']), ws('cli', 'app', ['server']),
];
const check = (path: string, text: string) => checkFile({ path, text }, TREE).map((v) => `${v.specifier}: ${v.why}`);

test('the check catches a broken arrow in runtime source', () => {
  assert.deepEqual(check('packages/packets/src/decode/x.ts', "import { x } from '@breakwater/contracts';\n// import { y } from '@breakwater/db';\n"), []);
  assert.deepEqual(check('packages/packets/src/decode/x.ts', "import type { X } from '@breakwater/detection';"), [
    '@breakwater/detection: packets may import only contracts',
    '@breakwater/detection: not declared in packages/packets/package.json dependencies',
  ]);
  assert.deepEqual(check('packages/mitigation/src/a.ts', "export { q } from '@breakwater/db';"), ['@breakwater/db: mitigation may import only contracts, outbound']);
  assert.deepEqual(check('packages/contracts/src/a.ts', "const m = await import('@breakwater/server');"), [
    '@breakwater/server: a package imports an app',
    '@breakwater/server: not declared in packages/contracts/package.json dependencies',
  ]);
  assert.deepEqual(check('apps/web/src/page.tsx', "import { db } from '@breakwater/db';"), [
    '@breakwater/db: web may import only contracts',
    '@breakwater/db: not declared in apps/web/package.json dependencies',
  ]);
  assert.deepEqual(check('apps/server/src/a.ts', "import { t } from '@breakwater/testing';"), [
    '@breakwater/testing: the test bed is for tests only',
    '@breakwater/testing: not declared in apps/server/package.json dependencies',
  ]);
  assert.deepEqual(check('apps/server/src/a.ts', "import { x } from '@breakwater/mitigation/testing';"), ['@breakwater/mitigation/testing: runtime source imports a test-only entry']);
  assert.deepEqual(check('apps/cli/src/a.ts', "import { s } from '@breakwater/server';"), []);
  assert.deepEqual(check('apps/server/src/a.ts', "import { c } from '@breakwater/cli';"), [
    '@breakwater/cli: app server imports app cli',
    '@breakwater/cli: not declared in apps/server/package.json dependencies',
  ]);
});

test("the check catches tests and benches reaching into another package's files", () => {
  assert.deepEqual(check('packages/mitigation/src/x.test.ts', "import { t } from '@breakwater/testing';\nimport { o } from '@breakwater/outbound';"), []);
  assert.deepEqual(check('packages/mitigation/src/adapters/x/x.contract.ts', "import { f } from '@breakwater/outbound/testing';"), []);
  assert.deepEqual(check('packages/mitigation/src/adapters/x/x.ts', "import { f } from '@breakwater/outbound/testing';"), ['@breakwater/outbound/testing: runtime source imports a test-only entry']);
  assert.deepEqual(check('apps/web/test/a.test.ts', "import { f } from '@breakwater/mitigation/testing';"), [
    '@breakwater/mitigation/testing: not declared in apps/web/package.json dependencies or devDependencies',
  ]);
  assert.deepEqual(check('apps/server/test/a.test.ts', "import { f } from '../../../packages/mitigation/src/testing/fakes/webhook.ts';"), [
    "../../../packages/mitigation/src/testing/fakes/webhook.ts: reaches outside apps/server/ by a relative path: import the package (or its ./testing entry)",
  ]);
  assert.deepEqual(check('bench/x/run.ts', "import { b } from '@breakwater/packets/src/testing/packet-builder.ts';"), [
    "@breakwater/packets/src/testing/packet-builder.ts: imports another package's files: use an entry of its package.json exports",
  ]);
  assert.deepEqual(check('bench/x/run.ts', "import { b } from './traffic.ts';\nimport { s } from '@breakwater/server';"), []);
});

test('the check catches a package.json that breaks an arrow', () => {
  const why = (w: Workspace) => checkManifest(w, TREE).map((v) => `${v.specifier}: ${v.why}`);
  assert.deepEqual(why(TREE.find((w) => w.name === 'mitigation')!), ['@breakwater/db: mitigation may depend only on contracts, outbound']);
  assert.deepEqual(why(ws('notify', 'package', ['contracts', 'testing'])), ['@breakwater/testing: the test bed is a devDependency, never a runtime one']);
  assert.deepEqual(why(ws('detection', 'package', ['server'])), ['@breakwater/server: a package depends on an app']);
  assert.deepEqual(why(TREE.find((w) => w.name === 'web')!), []);
});
