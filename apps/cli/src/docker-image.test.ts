// The server's container image (deploy/docker/Dockerfile) built for real and run as the image says:
// built by podman (buildah's builder: the Dockerfile format Docker builds), then the image's own
// filesystem, user, environment and entrypoint started against a real PostgreSQL the way
// deploy/docker/compose.yaml starts it.
//
// Two things of this machine are worked around, both outside the image: Docker Hub cannot be
// reached from here, so the `node:24-bookworm-slim` base is stood in for by a local image made the
// way the official one is (Debian bookworm from the Debian mirror by debootstrap, Node 24 in
// /usr/local/bin with npm, user `node` uid 1000; plus this machine's CA bundle, since its outbound
// HTTPS goes through an inspecting proxy) and passed as --build-arg NODE_IMAGE; and this sandbox
// does not let an OCI runtime set rlimits, so the built image is run by mounting it and starting its
// entrypoint in a chroot as its user, in a mount namespace of its own. Podman keeps its storage in
// this test's temp dir; the base image's tarball is cached in /var/tmp between runs.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, waitFor } from '@breakwater/testing';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'bw-image-'));
const storage = ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'overlay'];
const BASE = 'localhost/bw-test-node-base:24-bookworm';
const IMAGE = 'localhost/breakwater-server:test';
let server: ChildProcess | undefined;
let db: { url: string; drop: () => Promise<void> } | undefined;
let mounted = '';

function sh(cmd: string, args: string[], opts: { timeout?: number; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024, input: opts.input });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.error?.message ?? ''}\n${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}
const podman = (args: string[], timeout?: number) => sh('podman', [...storage, ...args], { timeout });

/** The stand-in for node:24-bookworm-slim, as a tarball of its root (cached: debootstrap takes a while). */
function baseTarball(): string {
  const nodeVersion = process.versions.node;
  const cacheDir = '/var/tmp/bw-test-cache';
  const tar = join(cacheDir, `node-${nodeVersion}-bookworm-base.tar`);
  if (existsSync(tar)) return tar;
  mkdirSync(cacheDir, { recursive: true });
  const rootfs = join(work, 'base-rootfs');
  sh('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], { timeout: 600_000 });
  sh('cp', [process.execPath, join(rootfs, 'usr/local/bin/node')]);
  const npmTgz = sh('npm', ['pack', 'npm@11', '--silent', '--pack-destination', work], { timeout: 180_000 }).trim().split('\n').at(-1)!;
  mkdirSync(join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
  sh('tar', ['-xzf', join(work, npmTgz), '-C', join(rootfs, 'usr/local/lib/node_modules')]);
  renameSync(join(rootfs, 'usr/local/lib/node_modules/package'), join(rootfs, 'usr/local/lib/node_modules/npm'));
  sh('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm')]);
  sh('ln', ['-s', '../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx')]);
  sh('chroot', [rootfs, 'sh', '-c', 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node']);
  mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
  sh('cp', ['/etc/ssl/certs/ca-certificates.crt', join(rootfs, 'etc/ssl/certs/ca-certificates.crt')]);
  rmSync(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  sh('tar', ['-C', rootfs, '-cf', `${tar}.part`, '.'], { timeout: 300_000 });
  renameSync(`${tar}.part`, tar);
  rmSync(rootfs, { recursive: true, force: true });
  return tar;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface ImageConfig { User?: string; Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; ExposedPorts?: Record<string, unknown>; Volumes?: Record<string, unknown> }
let config: ImageConfig = {};

before(async () => {
  const tar = baseTarball();
  podman(['import', '--change', 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', '--change', 'CMD ["node"]', tar, BASE], 300_000);
  // The repository itself is the build context, as the Dockerfile's header says (.dockerignore keeps node_modules out).
  podman(['build', '--pull=never', '--isolation=chroot', '--network=host', '--build-arg', `NODE_IMAGE=${BASE}`,
    '-f', join(ROOT, 'deploy/docker/Dockerfile'), '-t', IMAGE, ROOT], 900_000);
  config = (JSON.parse(podman(['image', 'inspect', IMAGE])) as { Config: ImageConfig }[])[0]!.Config;
  mounted = podman(['image', 'mount', IMAGE]).trim();
});

after(async () => {
  // Its own process group (detached): the server, which changed user, is not unshare's to take down.
  if (server?.pid) try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone already */ }
  if (mounted) spawnSync('podman', [...storage, 'image', 'unmount', '--all']);
  spawnSync('podman', [...storage, 'system', 'reset', '--force'], { timeout: 120_000 });
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

test('the image runs as the unprivileged node user and holds the built dashboard, production dependencies only, no tests', () => {
  assert.equal(config.User, 'node');
  assert.deepEqual(config.Entrypoint, ['node', '/opt/breakwater/bin/breakwater.mjs']);
  assert.deepEqual(config.Cmd, ['server']);
  assert.ok(config.ExposedPorts && '8080/tcp' in config.ExposedPorts);
  assert.ok(config.Volumes && '/var/lib/breakwater' in config.Volumes);
  const app = join(mounted, 'opt/breakwater');
  assert.ok(existsSync(join(app, 'apps/web/dist/index.html')), 'the dashboard is built into the image');
  assert.ok(existsSync(join(app, 'node_modules/fastify')), 'a production dependency is there');
  assert.ok(!existsSync(join(app, 'node_modules/vite')), 'a build-only dependency is not');
  assert.ok(!existsSync(join(app, 'node_modules/typescript')), 'nor the type-checker');
  assert.ok(existsSync(join(app, 'deploy/install/agent-install.sh')), 'the install script the server hands to hosts');
  const tests = readdirSync(join(app, 'apps'), { recursive: true }).filter((f) => String(f).endsWith('.test.ts'));
  assert.deepEqual(tests, []);
});

test('started as compose starts it — its user, environment and entrypoint, on a real PostgreSQL — the server is ready and serves the dashboard', { timeout: 120_000 }, async () => {
  db = await createTestDatabase();
  const port = await freePort();
  // The container's root: a copy of the image's, so the running server writes its volume there.
  const rootfs = join(work, 'container');
  sh('cp', ['-a', `${mounted}/.`, rootfs], { timeout: 300_000 });
  const env = [...(config.Env ?? []), `BREAKWATER_PORT=${port}`, 'BREAKWATER_HOST=127.0.0.1', `BREAKWATER_DATABASE_URL=${db.url}`,
    `BREAKWATER_SECRET_KEY=${'ab'.repeat(32)}`, `BREAKWATER_PUBLIC_URL=http://127.0.0.1:${port}`];
  const script = [
    `mount -t proc proc "$0/proc"`, `mount --rbind /dev "$0/dev"`, `mount -t tmpfs tmpfs "$0/tmp"`,
    `exec chroot --userspec=1000:1000 "$0" /usr/bin/env -i "$@"`,
  ].join(' && ');
  server = spawn('unshare', ['--mount', '--propagation', 'private', '--fork', 'sh', '-c', script, rootfs, ...env,
    `HOME=/home/node`, `sh`, '-c', `cd ${config.WorkingDir ?? '/'} && exec "$@"`, 'entry', ...config.Entrypoint!, ...config.Cmd!], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  server.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const base = `http://127.0.0.1:${port}`;
  let ready: { data?: { ready: boolean; database: { ok: boolean } } } = {};
  await waitFor(`the server in the image is ready (output so far: ${out.slice(-600)})`, async () => {
    if (server!.exitCode !== null) throw new Error(`the server exited ${server!.exitCode}: ${out}`);
    const r = await fetch(`${base}/api/v1/ready`).catch(() => null);
    if (!r?.ok) return false;
    ready = (await r.json()) as typeof ready;
    return true;
  }, 90_000, 250);
  assert.equal(ready.data?.ready, true);
  assert.equal(ready.data?.database.ok, true);
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<!doctype html>/i);
  // Its first start printed the admin sign-in (compose's logs), and it stored its schema in PostgreSQL.
  assert.match(out, /Admin sign-in: {2}admin@localhost/);
  const tables = sh('psql', [db.url, '-tAc', `SELECT count(*) FROM information_schema.tables WHERE table_name = 'nodes'`]).trim();
  assert.equal(tables, '1', 'the server migrated the PostgreSQL database it was pointed at');
  // As its user: the data it wrote belongs to uid 1000.
  const owner = sh('stat', ['-c', '%u', join(rootfs, 'var/lib/breakwater/compile-cache')]).trim();
  assert.equal(owner, '1000');
});
