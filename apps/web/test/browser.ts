// What the dashboard's browser tests share: a current build, a real server on SQLite, Debian's
// Chromium driven by playwright-core, and screenshots saved for people to look at.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestServer } from '@breakwater/server/testing';

export const WEB = join(import.meta.dirname, '..');
export const SHOTS = join(WEB, 'test-results');

function newest(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds apps/web when its sources are newer than dist (bw does the same before the suite). */
export function ensureBuilt(): void {
  const index = join(WEB, 'dist', 'index.html');
  const sources = Math.max(newest(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs, statSync(join(WEB, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(WEB, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: WEB, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed: ${r.stderr}`);
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh profile per launch (playwright's launch() always starts from an empty temp profile). */
export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (CSP violations, exceptions). */
  problems: string[];
}

export async function openTab(browser: Browser, baseURL: string, viewport = { width: 1280, height: 900 }, colorScheme: 'light' | 'dark' = 'light'): Promise<Tab> {
  const context = await browser.newContext({ baseURL, viewport, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // 401 on /me before signing in and aborted streams on navigation are expected.
    if (m.type() === 'error' && !/401|ERR_ABORTED|Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The team the role tests sign in as: olga (operator) and vic (viewer), password `<role>-password-123`, added by the admin through the dashboard API. */
export async function addTeam(t: TestServer): Promise<void> {
  const cookie = await t.login(t.admin.email, t.admin.password);
  for (const [email, role] of [['olga@example.com', 'operator'], ['vic@example.com', 'viewer']] as const) {
    const u = await t.request('POST', '/api/dash/users', { token: null, headers: { cookie, 'x-breakwater-csrf': '1' }, body: { email, name: role, role, password: `${role}-password-123` } });
    assert.equal(u.status, 201, JSON.stringify(u.body));
  }
}
