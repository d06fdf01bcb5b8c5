// Shared helpers for the browser tests: start the real server binary on a free port with a fresh
// data directory, launch Debian's Chromium through playwright-core, log in, take screenshots.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(REPO, 'tests/e2e/artifacts');
const READY_TIMEOUT_MS = 60_000;

/** The demo congress's name, read from the fixtures (so the test follows the generator). */
export function fixtureCongressName() {
  const toml = readFileSync(join(REPO, 'fixtures/demo/congress.toml'), 'utf8');
  const m = /^name\s*=\s*"(.*)"\s*$/m.exec(toml);
  if (!m) throw new Error('no name in fixtures/demo/congress.toml');
  return m[1];
}

/** One delegate row from the fixtures CSV, by id (the demo CSV has no quoted commas). */
export function fixtureDelegate(id) {
  const lines = readFileSync(join(REPO, 'fixtures/demo/delegates.csv'), 'utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[0] === id) return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  }
  throw new Error(`no delegate ${id} in fixtures`);
}

export function fixtureDelegateCount() {
  return readFileSync(join(REPO, 'fixtures/demo/delegates.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim()).length - 1;
}

/**
 * Starts `congress demo` on 127.0.0.1:0 and waits for its one `ready: {json}` line on stdout.
 * Returns { url, admin_user, admin_password, stop() }. Plain HTTP unless `tls: true` (then also
 * `ca_path`, `ca_sha256` and `http_url`, the plain port that redirects and serves /ca.pem).
 */
export async function startServer({ data: reuseData = null, listen = '127.0.0.1:0', tls = false } = {}) {
  const bin = process.env.CONGRESS_BIN || join(REPO, 'target/release/congress');
  if (!existsSync(bin)) {
    throw new Error(`server binary not found at ${bin}: run \`cargo build --release -p congress-server\` or set CONGRESS_BIN`);
  }
  for (const app of ['console', 'tablet-app', 'kiosk']) {
    if (!existsSync(join(REPO, app, 'dist/index.html'))) throw new Error(`${app}/dist missing: run \`npm run build\``);
  }
  const data = reuseData ?? mkdtempSync(join(tmpdir(), 'congress-e2e-'));
  const args = ['demo', '--fixtures', join(REPO, 'fixtures/demo'), '--data', data, '--listen', listen, '--web-root', REPO];
  args.push(...(tls ? ['--tls', 'on', '--http-redirect-listen', '127.0.0.1:0'] : ['--tls', 'off']));
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const output = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => output.push(s));

  const ready = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output.join('')}`));
    }, READY_TIMEOUT_MS);
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      output.push(line + '\n');
      if (!line.startsWith('ready: ')) return;
      clearTimeout(timer);
      try {
        resolveReady(JSON.parse(line.slice('ready: '.length)));
      } catch (e) {
        reject(new Error(`bad ready line ${JSON.stringify(line)}: ${e}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before ready:\n${output.join('')}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  for (const k of ['url', 'admin_user', 'admin_password']) {
    if (typeof ready[k] !== 'string') throw new Error(`ready line lacks "${k}": ${JSON.stringify(ready)}`);
  }

  /** Stops the server; `keepData` leaves the data folder for a restart. */
  const stop = async ({ keepData = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    if (!keepData) rmSync(data, { recursive: true, force: true });
  };
  return { ...ready, data, stop, output: () => output.join('') };
}

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium, headless; playwright gives every launch a fresh, empty user-data-dir.
 * `env` replaces the browser's environment (the HTTPS test gives it a HOME whose NSS database
 * trusts the congress CA).
 */
export async function launchBrowser({ env } = {}) {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, ...(env ? { env } : {}) });
}

/** A new isolated context (own storage) with a page; browser errors are collected. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN', ...opts });
  const page = await context.newPage();
  // Script errors and console errors; HTTP failures are kept apart (some are expected, e.g. a
  // refused password) with their URLs.
  page.errors = [];
  page.httpErrors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) page.httpErrors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/** Logs into the console and waits for the delegate list. */
export async function loginConsole(page, server) {
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('login-user').fill(server.admin_user);
  await page.getByTestId('login-pass').fill(server.admin_password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('present-count').waitFor();
  await page.locator('[data-testid="delegate-row"]').first().waitFor();
}

/** Reads the live present count shown on a page. */
export async function presentCount(page) {
  return Number(await page.getByTestId('present-count').getAttribute('data-value'));
}

/** Waits until a page shows `n` present (no reload). */
export async function waitPresent(page, n) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="present-count"]')?.getAttribute('data-value') === String(want),
    n,
  );
}

/** The operator's token, as stored by the console (to drive bulk setup through the API). */
export async function consoleToken(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('congress.operator') ?? 'null')?.token);
}

/** POST /api/attendance from the test process (bulk setup; the UI path is tested separately). */
export async function setAttendanceApi(server, token, delegateId, status, reason = 'e2e setup') {
  const res = await fetch(`${server.url}/api/attendance`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_id: crypto.randomUUID(), delegate_id: delegateId, status, reason }),
  });
  if (!res.ok) throw new Error(`POST /api/attendance ${delegateId}: ${res.status} ${await res.text()}`);
  return res.json();
}
