// (d) Face check-in at the kiosk: headless Chromium with a fake camera playing a video built from
// a photo of an enrolled delegate. The kiosk page pairs, streams frames over /ws/kiosk, greets
// the delegate by name, and the console shows the check-in (present count and the kiosk panel).
//
// Needs the face models (CONGRESS_MODELS_DIR, default models/) and the labelled photos
// (CONGRESS_FACES_DIR, default ../shared/faces); skipped with a message when absent, except that
// CONGRESS_REQUIRE_MODELS=1 makes missing models a failure.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  FACE,
  consoleToken,
  faceModelsPresent,
  facePhotosPresent,
  fixtureDelegate,
  launchBrowser,
  loginConsole,
  newPage,
  pairPage,
  pairingCodeApi,
  screenshot,
  startFaceServer,
  stopServerAndBrowsers,
  waitPresent,
} from './helpers.mjs';

const ENROLLED = FACE.enrolled;

function skipReason() {
  if (!faceModelsPresent()) {
    if (process.env.CONGRESS_REQUIRE_MODELS === '1') throw new Error(`CONGRESS_REQUIRE_MODELS=1 but the models are missing in ${FACE.models}: run \`cargo xtask models\``);
    return `face models missing in ${FACE.models} (run \`cargo xtask models\`)`;
  }
  if (!facePhotosPresent()) return `labelled face photos not found at ${FACE.faces} (set CONGRESS_FACES_DIR)`;
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
  let importOutput;
  ({ server, camBrowser, importOutput } = await startFaceServer(work, browser));
  assert.match(importOutput, /faces: 1 of 1 photos enrolled/);
});

after(async () => {
  await stopServerAndBrowsers(server, camBrowser, browser);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the kiosk camera checks the enrolled delegate in and the console shows it', { skip: SKIP ?? false }, async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  await waitPresent(op.page, 0);
  const token = await consoleToken(op.page);
  const code = await pairingCodeApi(server, token, 'kiosk', null, { label: 'Cổng A' });

  const kiosk = await newPage(camBrowser);
  await kiosk.context.grantPermissions(['camera'], { origin: server.url });
  await pairPage(kiosk.page, server, '/kiosk/', code, kiosk.page.getByTestId('kiosk').and(kiosk.page.locator('[data-conn="online"]')));

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
