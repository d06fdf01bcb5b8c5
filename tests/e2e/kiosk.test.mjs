// (d) Face check-in at the kiosk: headless Chromium with a fake camera playing a video built from
// a photo of an enrolled delegate. The kiosk page pairs, streams frames over /ws/kiosk, greets
// the delegate by name, and the console shows the check-in (present count and the kiosk panel).
//
// Needs the face models (CONGRESS_MODELS_DIR, default models/) and the labelled photos
// (CONGRESS_FACES_DIR, default ../shared/faces); skipped with a message when absent, except that
// CONGRESS_REQUIRE_MODELS=1 makes missing models a failure.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { REPO, buildY4m, consoleToken, fixtureDelegate, launchBrowser, loginConsole, newPage, screenshot, startServer, waitPresent } from './helpers.mjs';

const MODELS = process.env.CONGRESS_MODELS_DIR || join(REPO, 'models');
const FACES = process.env.CONGRESS_FACES_DIR || join(REPO, '../shared/faces');
const ENROLLED = 'D0001';
const ENROL_PHOTO = join(FACES, 'deepface/id01/img1.jpg');
const VIDEO_PHOTO = join(FACES, 'deepface/id01/img2.jpg');

function skipReason() {
  const models = ['centerface.onnx', 'dlib_resnet128.onnx'].every((f) => existsSync(join(MODELS, f)));
  if (!models) {
    if (process.env.CONGRESS_REQUIRE_MODELS === '1') throw new Error(`CONGRESS_REQUIRE_MODELS=1 but the models are missing in ${MODELS}: run \`cargo xtask models\``);
    return `face models missing in ${MODELS} (run \`cargo xtask models\`)`;
  }
  if (!existsSync(ENROL_PHOTO) || !existsSync(VIDEO_PHOTO)) return `labelled face photos not found at ${FACES} (set CONGRESS_FACES_DIR)`;
  return null;
}
const SKIP = skipReason();
if (SKIP) console.log(`SKIPPED kiosk e2e: ${SKIP}`);

let server;
let browser;
let camBrowser;
let work;

before(async () => {
  if (SKIP) return;
  browser = await launchBrowser();
  work = mkdtempSync(join(tmpdir(), 'congress-e2e-face-'));
  // the congress, with D0001's photo enrolled by the bulk import
  const photos = join(work, 'photos');
  mkdirSync(photos);
  copyFileSync(ENROL_PHOTO, join(photos, `${ENROLLED}.jpg`));
  const data = join(work, 'data');
  const bin = process.env.CONGRESS_BIN || join(REPO, 'target/release/congress');
  const fx = join(REPO, 'fixtures/demo');
  const r = spawnSync(
    bin,
    ['import', '--data', data, '--congress', join(fx, 'congress.toml'), '--delegates', join(fx, 'delegates.csv'), '--photos', photos],
    { encoding: 'utf8', env: { ...process.env, CONGRESS_MODELS_DIR: MODELS, NO_COLOR: '1' } },
  );
  assert.equal(r.status, 0, `import --photos failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /faces: 1 of 1 photos enrolled/);
  server = await startServer({ data });
  const video = join(work, 'camera.y4m');
  await buildY4m(browser, VIDEO_PHOTO, video);
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  camBrowser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
});

after(async () => {
  await camBrowser?.close();
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the kiosk camera checks the enrolled delegate in and the console shows it', { skip: SKIP ?? false }, async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  await waitPresent(op.page, 0);
  const token = await consoleToken(op.page);
  const res = await fetch(`${server.url}/api/devices/pairing-codes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ kind: 'kiosk', delegate_id: null, label: 'Cổng A', direction: 'entrance' }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const { code } = JSON.parse(body);

  const kiosk = await newPage(camBrowser);
  await kiosk.context.grantPermissions(['camera'], { origin: server.url });
  await kiosk.page.goto(`${server.url}/kiosk/`);
  await kiosk.page.getByTestId('pair-code').fill(code);
  await kiosk.page.getByTestId('pair-submit').click();
  await kiosk.page.getByTestId('kiosk').and(kiosk.page.locator('[data-conn="online"]')).waitFor();

  const t0 = Date.now();
  const panel = kiosk.page.locator(`[data-testid="face-panel"][data-status="recognized"][data-delegate="${ENROLLED}"]`);
  await panel.waitFor({ timeout: 30_000 });
  const took = Date.now() - t0;
  const d = fixtureDelegate(ENROLLED);
  const text = await kiosk.page.getByTestId('face-panel').innerText();
  assert.ok(text.includes(d.full_name), text);
  assert.ok(text.includes(d.seat), text);
  console.log(`kiosk recognised ${ENROLLED} ${took} ms after going online`);
  await screenshot(kiosk.page, 'd1-kiosk-recognised');

  // the console: present count and the kiosk panel with the check-in and its thumbnail
  await waitPresent(op.page, 1);
  const row = op.page.locator(`[data-testid="face-checkin"][data-delegate="${ENROLLED}"]`);
  await row.waitFor({ timeout: 10_000 });
  await op.page.waitForFunction(() => document.querySelector('[data-testid="face-checkin"] img')?.getAttribute('src')?.startsWith('blob:'));
  await screenshot(op.page, 'd2-console-face-checkin');

  // a second pass of the same delegate later: "already checked in at HH:MM" (after the hold)
  await kiosk.page.locator('[data-testid="face-panel"][data-already="true"]').waitFor({ timeout: 30_000 });

  assert.deepEqual(kiosk.page.errors, []);
  assert.deepEqual(op.page.errors, []);
});
