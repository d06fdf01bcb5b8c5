// Shared helpers for the browser tests: start the real server binary on a free port with a fresh
// data directory, launch Debian's Chromium through playwright-core, log in, pair devices, call
// the REST API, build test documents and camera videos, take screenshots, run axe-core. Every
// helper a test file would otherwise repeat lives here (`duplicates --repo tests/e2e` checks).

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The data folders' passphrase (encryption at rest, docs/security.md): the demo's own default. */
export const PASSPHRASE = process.env.CONGRESS_PASSPHRASE ?? 'demo';

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

/** The `congress` binary the tests run: `$CONGRESS_BIN`, else the release build. */
export function congressBin() {
  const bin = process.env.CONGRESS_BIN || join(REPO, 'target/release/congress');
  if (!existsSync(bin)) {
    throw new Error(`server binary not found at ${bin}: run \`cargo build --release -p congress-server\` or set CONGRESS_BIN`);
  }
  return bin;
}

/**
 * Starts `congress demo` on 127.0.0.1:0 and waits for its one `ready: {json}` line on stdout.
 * Returns { url, admin_user, admin_password, stop() }. Plain HTTP unless `tls: true` (then also
 * `ca_path`, `ca_sha256` and `http_url`, the plain port that redirects and serves /ca.pem).
 */
export async function startServer({ data: reuseData = null, listen = '127.0.0.1:0', tls = false, rateLimits = false } = {}) {
  const bin = congressBin();
  for (const app of ['console', 'tablet-app', 'kiosk']) {
    if (!existsSync(join(REPO, app, 'dist/index.html'))) throw new Error(`${app}/dist missing: run \`npm run build\``);
  }
  const data = reuseData ?? mkdtempSync(join(tmpdir(), 'congress-e2e-'));
  const args = ['demo', '--fixtures', join(REPO, 'fixtures/demo'), '--data', data, '--listen', listen, '--web-root', REPO];
  args.push(...(tls ? ['--tls', 'on', '--http-redirect-listen', '127.0.0.1:0'] : ['--tls', 'off']));
  // Every test browser comes from 127.0.0.1, so the per-address login and pairing limits (tested in
  // tests/tests/it/limits.rs) are off unless a test asks for them.
  const limits = rateLimits
    ? {}
    : { CONGRESS_LOGIN_PER_MINUTE: '0', CONGRESS_PAIR_PER_MINUTE: '0', CONGRESS_PAIR_FAILURES_PER_MINUTE: '0' };
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...limits, CONGRESS_PASSPHRASE: PASSPHRASE, NO_COLOR: '1' } });
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

/**
 * What most test files share: one server (`startServer(serverOptions)`) and one browser, from a
 * `before` hook: `before(async () => ({ server, browser } = await startServerAndBrowser()));`.
 */
export async function startServerAndBrowser(serverOptions = {}) {
  const server = await startServer(serverOptions);
  const browser = await launchBrowser();
  return { server, browser };
}

/** The `after` hook's half: closes the browsers, then stops the server (any may be missing). */
export async function stopServerAndBrowsers(server, ...browsers) {
  for (const browser of browsers) await browser?.close();
  await server?.stop();
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

/** Chromium's fake camera (its test pattern, no face) allowed without a permission prompt. */
const FAKE_CAMERA_FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

/**
 * Debian's Chromium, headless; playwright gives every launch a fresh, empty user-data-dir.
 * `env` replaces the browser's environment (the HTTPS test gives it a HOME whose NSS database
 * trusts the congress CA). `camera: true` gives it a fake camera showing Chromium's test pattern;
 * `video` (a .y4m file, see `buildY4m`) makes the fake camera play that instead.
 */
export async function launchBrowser({ env, camera = false, video = null } = {}) {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const args = [...CHROMIUM_FLAGS];
  if (camera || video) args.push(...FAKE_CAMERA_FLAGS);
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  return chromium.launch({ executablePath, headless: true, args, ...(env ? { env } : {}) });
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

/**
 * Creates a pairing code in the console's devices panel (`kind` tablet, kiosk or projector; a
 * tablet for `delegateId`) and returns its 8 digits once the panel shows a new code.
 */
export async function createCode(consolePage, kind = 'tablet', delegateId = null) {
  await consolePage.getByTestId('pair-kind').selectOption(kind);
  if (delegateId) await consolePage.getByTestId('pair-delegate').fill(delegateId);
  const codeEl = consolePage.getByTestId('pairing-code');
  const old = (await codeEl.count()) > 0 ? await codeEl.innerText() : null;
  await consolePage.getByTestId('pair-create').click();
  await consolePage.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-testid="pairing-code"]');
      return el && el.textContent !== prev;
    },
    old,
  );
  return (await codeEl.innerText()).replace(/\D/g, '');
}

/**
 * Opens `path` (`/tablet/`, `/kiosk/`, `/console/projector.html`) on `page`, types the pairing
 * `code` and submits it; then waits for `ready` (a locator) when one is given.
 */
export async function pairPage(page, server, path, code, ready = null) {
  await page.goto(`${server.url}${path}`);
  await page.getByTestId('pair-code').fill(code);
  await page.getByTestId('pair-submit').click();
  if (ready) await ready.waitFor();
}

/** A new tablet page (own context, `pageOptions` for `newPage`) paired with `code`, greeting its delegate. */
export async function openTablet(browser, server, code, pageOptions = { viewport: { width: 1024, height: 768 }, hasTouch: true }) {
  const tab = await newPage(browser, pageOptions);
  await pairPage(tab.page, server, '/tablet/', code, tab.page.getByTestId('greeting'));
  return tab;
}

/** Pairs a tablet for `delegateId` with a code made in the console (`consolePage`); returns `{ context, page }`. */
export async function pairTablet(browser, server, consolePage, delegateId, pageOptions = undefined) {
  return openTablet(browser, server, await createCode(consolePage, 'tablet', delegateId), pageOptions);
}

/** Clicks the console's "open projector" button (`name`, in the page's language); returns the new page. */
export async function openProjector(consolePage, { name = 'Mở màn chiếu', exact = false } = {}) {
  const [proj] = await Promise.all([consolePage.context().waitForEvent('page'), consolePage.getByRole('button', { name, exact }).click()]);
  return proj;
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

/**
 * One REST call from the test process: JSON `body` (or `raw` bytes, sent as `type`), the bearer
 * `token` if any. Throws with the status and the answer unless it is 2xx; returns the parsed JSON
 * answer, or null for an empty one.
 */
export async function callApi(server, token, method, path, body = undefined, { raw = null, type = raw ? 'application/pdf' : 'application/json' } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': type, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Logs the demo admin in through the API; returns the session token. */
export async function loginApi(server) {
  const { token } = await callApi(server, null, 'POST', '/api/login', { username: server.admin_user, password: server.admin_password });
  return token;
}

/** A pairing code made through the API (a kiosk's is for the entrance); `extra` overrides fields. */
export async function pairingCodeApi(server, token, kind, delegateId = null, extra = {}) {
  const body = { kind, delegate_id: delegateId, label: null, direction: kind === 'kiosk' ? 'entrance' : null, ...extra };
  return (await callApi(server, token, 'POST', '/api/devices/pairing-codes', body)).code;
}

/** Pairs a tablet for `delegateId` through the API alone; returns its device token. */
export async function pairTabletApi(server, token, delegateId) {
  const code = await pairingCodeApi(server, token, 'tablet', delegateId);
  return (await callApi(server, token, 'POST', '/api/devices/pair', { code, recipient: null })).device_token;
}

/** `count` demo delegate ids from `D000<first>` on (D0001, D0002, …). */
export function delegateIds(count, first = 1) {
  return Array.from({ length: count }, (_, i) => `D${String(i + first).padStart(4, '0')}`);
}

/** Checks `ids` in through the API, `batch` requests at a time (bulk setup, e.g. a quorum). */
export async function checkInAll(server, token, ids, { batch = 20, reason = undefined } = {}) {
  for (let i = 0; i < ids.length; i += batch) {
    await Promise.all(ids.slice(i, i + batch).map((id) => setAttendanceApi(server, token, id, 'present', reason)));
  }
}

/** A small valid PDF (Helvetica) with one line of ASCII text on each page of `pages`. */
export function pdf(pages) {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const kids = pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ');
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((text, i) => {
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`);
    const body = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`;
    objs.push(`<< /Length ${body.length} >>\nstream\n${body}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---------------------------------------------------------------- face check-in

/**
 * The face models and the labelled photos the kiosk tests use: `enrolled` is enrolled from
 * `enrolPhoto` by the bulk import, and the fake camera plays `videoPhoto` (another photo of the
 * same person).
 */
const FACES_DIR = process.env.CONGRESS_FACES_DIR || join(REPO, '../shared/faces');
export const FACE = {
  models: process.env.CONGRESS_MODELS_DIR || join(REPO, 'models'),
  faces: FACES_DIR,
  enrolled: 'D0001',
  enrolPhoto: join(FACES_DIR, 'deepface/id01/img1.jpg'),
  videoPhoto: join(FACES_DIR, 'deepface/id01/img2.jpg'),
};

/** Whether both face models are in `FACE.models`. */
export function faceModelsPresent() {
  return ['centerface.onnx', 'dlib_resnet128.onnx'].every((f) => existsSync(join(FACE.models, f)));
}

/** Whether both labelled photos are in `FACE.faces`. */
export function facePhotosPresent() {
  return existsSync(FACE.enrolPhoto) && existsSync(FACE.videoPhoto);
}

/**
 * Imports the demo congress into `<work>/data` with `FACE.enrolled`'s photo enrolled
 * (`congress import --photos`); throws unless the import succeeds. Returns the data folder and
 * the import's standard output.
 */
export function importWithEnrolledFace(work) {
  const photos = join(work, 'photos');
  mkdirSync(photos);
  copyFileSync(FACE.enrolPhoto, join(photos, `${FACE.enrolled}.jpg`));
  const data = join(work, 'data');
  const fx = join(REPO, 'fixtures/demo');
  const r = spawnSync(
    congressBin(),
    ['import', '--data', data, '--congress', join(fx, 'congress.toml'), '--delegates', join(fx, 'delegates.csv'), '--photos', photos],
    { encoding: 'utf8', env: { ...process.env, CONGRESS_MODELS_DIR: FACE.models, CONGRESS_PASSPHRASE: PASSPHRASE, NO_COLOR: '1' } },
  );
  if (r.status !== 0) throw new Error(`import --photos failed:\n${r.stdout}\n${r.stderr}`);
  return { data, stdout: r.stdout };
}

/**
 * The kiosk camera set-up: the demo congress in `<work>/data` with `FACE.enrolled` enrolled, a
 * server on it, and a browser whose fake camera plays `FACE.videoPhoto` (the video is made with
 * `browser`). Returns `{ server, camBrowser, importOutput }`.
 */
export async function startFaceServer(work, browser) {
  const { data, stdout } = importWithEnrolledFace(work);
  const server = await startServer({ data });
  const video = join(work, 'camera.y4m');
  await buildY4m(browser, FACE.videoPhoto, video);
  const camBrowser = await launchBrowser({ video });
  return { server, camBrowser, importOutput: stdout };
}

/**
 * Builds a 640×480 4:2:0 y4m (5 frames at 5 fps) from a photo: Chromium decodes and letterboxes
 * the photo on a canvas, the RGB → YUV (BT.601, studio range) conversion is done here.
 */
export async function buildY4m(browser, photo, out) {
  const W = 640;
  const H = 480;
  const page = await (await browser.newContext()).newPage();
  const dataUrl = `data:image/jpeg;base64,${readFileSync(photo).toString('base64')}`;
  const rgba = await page.evaluate(
    async ({ dataUrl, W, H }) => {
      const img = new Image();
      img.src = dataUrl;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = W;
      c.height = H;
      const g = c.getContext('2d');
      g.fillStyle = '#808080';
      g.fillRect(0, 0, W, H);
      const s = Math.min(W / img.naturalWidth, H / img.naturalHeight);
      const w = img.naturalWidth * s;
      const h = img.naturalHeight * s;
      g.drawImage(img, (W - w) / 2, (H - h) / 2, w, h);
      return Array.from(g.getImageData(0, 0, W, H).data);
    },
    { dataUrl, W, H },
  );
  await page.context().close();
  const Y = Buffer.alloc(W * H);
  const U = Buffer.alloc((W / 2) * (H / 2));
  const V = Buffer.alloc((W / 2) * (H / 2));
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
      Y[y * W + x] = clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b);
    }
  }
  for (let y = 0; y < H / 2; y++) {
    for (let x = 0; x < W / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = ((2 * y + dy) * W + 2 * x + dx) * 4;
        r += rgba[i] / 4;
        g += rgba[i + 1] / 4;
        b += rgba[i + 2] / 4;
      }
      U[y * (W / 2) + x] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      V[y * (W / 2) + x] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Y, U, V]);
  writeFileSync(out, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420\n`), ...Array(5).fill(frame)]));
}


// ---------------------------------------------------------------- accessibility (axe-core)

let axeSource = null;
/** axe-core's browser bundle (the `axe-core` devDependency). */
function axeCore() {
  axeSource ??= readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** The WCAG rule sets every screen must pass. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
/**
 * Page-structure rules (axe "best practices") that must pass at any impact on a whole page:
 * one `main`, content inside landmarks, a level-one heading, headings in order, unique landmarks.
 */
export const AXE_STRUCTURE = ['landmark-one-main', 'region', 'page-has-heading-one', 'heading-order', 'landmark-unique', 'landmark-no-duplicate-main'];

/**
 * Runs axe-core on the page (or on the part `include` selects, e.g. an open `dialog`) and throws
 * listing every violation of impact serious or critical, and on a whole page any violation of
 * the structure rules (AXE_STRUCTURE): rule id, impact, help, the elements (CSS targets) and why. Returns all violations (minor and moderate too) for a report.
 */
export async function expectAccessible(page, label, { include = null, exclude = [], impacts = ['serious', 'critical'] } = {}) {
  const t0 = Date.now();
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Evaluated through the DevTools protocol, not as a <script> tag: the server's
    // Content-Security-Policy forbids inline scripts (and the tests fail on CSP reports).
    await page.evaluate(axeCore());
  }
  const violations = await page.evaluate(
    async ({ include, exclude, tags, structure }) => {
      const context = include || exclude.length ? { include: [include ?? 'html'], exclude } : document;
      const rules = window.axe.getRules(tags).map((r) => r.ruleId);
      if (!include) rules.push(...structure);
      const r = await window.axe.run(context, {
        runOnly: { type: 'rule', values: rules },
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary })),
      }));
    },
    { include, exclude, tags: AXE_TAGS, structure: AXE_STRUCTURE },
  );
  const bad = violations.filter((v) => impacts.includes(v.impact) || AXE_STRUCTURE.includes(v.id));
  if (process.env.AXE_LOG) {
    const minor = violations.filter((v) => !bad.includes(v)).map((v) => `${v.id}(${v.impact})`);
    console.log(`axe ${label}: ${Date.now() - t0} ms${minor.length ? `, minor: ${minor.join(' ')}` : ''}`);
  }
  if (bad.length) {
    const lines = bad.flatMap((v) => [
      `- ${v.id} (${v.impact}): ${v.help}`,
      ...v.nodes.slice(0, 8).map((n) => `    ${n.target}\n      ${String(n.why).replace(/\n/g, '\n      ')}`),
      v.nodes.length > 8 ? `    … and ${v.nodes.length - 8} more` : null,
    ]).filter(Boolean);
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on "${label}":\n${lines.join('\n')}`);
  }
  return violations;
}

/** The display variants every screen is checked in: three languages and large type. */
export const VARIANTS = ['vi', 'en', 'ar', 'large'];

/**
 * Puts a page in a variant with its own controls (the language picker and the "A A" button):
 * `vi`, `en`, `ar` (right-to-left) with normal type, or `large` (Vietnamese, large type).
 */
export async function setVariant(page, variant) {
  const lang = variant === 'large' ? 'vi' : variant;
  const picker = page.getByTestId('lang');
  if ((await picker.inputValue()) !== lang) await picker.selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  const toggle = page.getByTestId('large-type');
  const want = variant === 'large' ? 'true' : 'false';
  if ((await toggle.count()) > 0 && (await toggle.first().getAttribute('aria-pressed')) !== want) await toggle.first().click();
  await page.waitForFunction((on) => document.documentElement.classList.contains('large-type') === on, variant === 'large');
}

/** Runs `expectAccessible` on the page in every variant; `prepare` re-opens a state if needed. */
export async function expectAccessibleAll(page, label, { include = null, exclude = [], prepare = null, cleanup = null } = {}) {
  for (const v of VARIANTS) {
    await setVariant(page, v);
    if (prepare) await prepare(v);
    await expectAccessible(page, `${label} [${v}]`, { include, exclude });
    if (cleanup) await cleanup(v);
  }
  await setVariant(page, 'vi');
}

/**
 * Fails when the page scrolls sideways or a visible element clips its text (content wider than
 * the box with overflow hidden, or text cut with an ellipsis).
 */
export async function expectNoOverflow(page, label) {
  const problems = await page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    for (const el of document.querySelectorAll('body *')) {
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      if (el.closest('.visually-hidden, canvas, video, select, .table-wrap')) continue;
      if (!el.textContent?.trim()) continue;
      const clips = cs.overflowX === 'hidden' || cs.overflowX === 'clip' || cs.textOverflow === 'ellipsis';
      if (clips && el.scrollWidth > el.clientWidth + 1) out.push(`clipped: <${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent.trim().slice(0, 40)}`);
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > doc.clientWidth + 1 || r.left < -1)) out.push(`outside the screen: <${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent.trim().slice(0, 40)} (${Math.round(r.left)}..${Math.round(r.right)})`);
    }
    return out.slice(0, 20);
  });
  if (problems.length) throw new Error(`layout problems on "${label}":\n${problems.join('\n')}`);
}

/**
 * Presses Tab (at most `max` times) until `locator` has the keyboard focus. An element with the
 * same id counts as the same (the apps re-render on pushes and keep the focus on the twin).
 */
export async function tabTo(page, locator, max = 80) {
  const focused = (el) => el === document.activeElement || (!!el.id && document.activeElement?.id === el.id);
  for (let i = 0; i < max; i++) {
    if (await locator.evaluate(focused).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${locator}`);
}
