// (d) Accessibility: axe-core (WCAG 2.0 A/AA, 2.1 AA) finds no serious or critical violation on
// any screen of the console, projector, tablet and kiosk, in Vietnamese, English, Arabic
// (right-to-left) and large type; large type neither scrolls sideways nor clips text at 1280×800
// and 800×1280; a delegate votes with the keyboard and accessible names only, and the receipt
// is announced in a live region. One server, one set of pages, screenshots for a person to check.
//
// The kiosk's greeting needs the face models and photos (like kiosk.test.mjs); without them that
// one screen is skipped with a message.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  REPO,
  buildY4m,
  consoleToken,
  expectAccessible,
  expectAccessibleAll,
  expectNoOverflow,
  loginConsole,
  newPage,
  screenshot,
  setAttendanceApi,
  setVariant,
  startServer,
  tabTo,
} from './helpers.mjs';

const MODELS = process.env.CONGRESS_MODELS_DIR || join(REPO, 'models');
const FACES = process.env.CONGRESS_FACES_DIR || join(REPO, '../shared/faces');
const ENROLLED = 'D0001';
const ENROL_PHOTO = join(FACES, 'deepface/id01/img1.jpg');
const VIDEO_PHOTO = join(FACES, 'deepface/id01/img2.jpg');
const FACE_OK =
  ['centerface.onnx', 'dlib_resnet128.onnx'].every((f) => existsSync(join(MODELS, f))) && existsSync(ENROL_PHOTO) && existsSync(VIDEO_PHOTO);
if (!FACE_OK) console.log('a11y: face models or photos missing: the kiosk greeting screen is skipped');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

let server;
let browser; // fake camera with Chromium's test pattern (no face)
let camBrowser; // fake camera showing the enrolled delegate
let work;
let op; // the console page, logged in
let token;
let tablet; // D0002's tablet page
let voteId;

async function api(method, path, body, { raw = null, type = 'application/json' } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'Content-Type': raw ? 'application/pdf' : type, Authorization: `Bearer ${token}` },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function pairingCode(kind, delegate_id = null, extra = {}) {
  const r = await api('POST', '/api/devices/pairing-codes', { kind, delegate_id, label: null, direction: kind === 'kiosk' ? 'entrance' : null, ...extra });
  return r.code;
}

/** A one-page PDF with a line of text. */
function pdf(text) {
  const body = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${body.length} >>\nstream\n${body}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

async function pairPage(page, path, code, ready) {
  await page.goto(`${server.url}${path}`);
  await page.getByTestId('pair-code').fill(code);
  await page.getByTestId('pair-submit').click();
  await ready.waitFor();
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'congress-e2e-a11y-'));
  let data = null;
  let video = null;
  if (FACE_OK) {
    const photos = join(work, 'photos');
    mkdirSync(photos);
    copyFileSync(ENROL_PHOTO, join(photos, `${ENROLLED}.jpg`));
    data = join(work, 'data');
    const fx = join(REPO, 'fixtures/demo');
    const r = spawnSync(
      process.env.CONGRESS_BIN || join(REPO, 'target/release/congress'),
      ['import', '--data', data, '--congress', join(fx, 'congress.toml'), '--delegates', join(fx, 'delegates.csv'), '--photos', photos],
      { encoding: 'utf8', env: { ...process.env, CONGRESS_MODELS_DIR: MODELS, NO_COLOR: '1' } },
    );
    assert.equal(r.status, 0, `import --photos failed:\n${r.stdout}\n${r.stderr}`);
  }
  server = await startServer({ data });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_FLAGS, ...FAKE_CAMERA] });
  if (FACE_OK) {
    video = join(work, 'camera.y4m');
    await buildY4m(browser, VIDEO_PHOTO, video);
    camBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_FLAGS, ...FAKE_CAMERA, `--use-file-for-fake-video-capture=${video}`] });
  }
});

after(async () => {
  await camBrowser?.close();
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('console login', async () => {
  const { page } = await newPage(browser);
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('login-user').waitFor();
  await expectAccessibleAll(page, 'console login');
  await page.context().close();
});

test('setup: quorum, a document, a vote (through the API)', async () => {
  op = await newPage(browser);
  await loginConsole(op.page, server);
  token = await consoleToken(op.page);
  const ids = Array.from({ length: 320 }, (_, i) => `D${String(i + 2).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 40) await Promise.all(ids.slice(i, i + 40).map((id) => setAttendanceApi(server, token, id, 'present')));
  // the console said so when the quorum was reached (300 of 450), in its polite live region
  await op.page.getByRole('status').filter({ hasText: /^Đã đủ số đại biểu theo quy định: 3\d\d\/450 có mặt$/ }).waitFor();
  // D0002's tablet first, so the document is encrypted to it
  const code = await pairingCode('tablet', 'D0002');
  tablet = await newPage(browser, { viewport: { width: 1280, height: 800 }, hasTouch: true });
  await tablet.page.goto(`${server.url}/tablet/`);
  await tablet.page.getByTestId('pair-code').waitFor();
  await expectAccessibleAll(tablet.page, 'tablet pairing');
  await tablet.page.getByTestId('pair-code').fill(code);
  await tablet.page.getByTestId('pair-submit').click();
  await tablet.page.getByTestId('greeting').waitFor();
  await api('POST', '/api/documents?title=Ngh%E1%BB%8B%20quy%E1%BA%BFt&audience=all&file_name=nq.pdf', undefined, { raw: pdf('Nghi quyet dai hoi') });
  await api('POST', '/api/votes', { client_id: crypto.randomUUID(), title: 'Thông qua chương trình', kind: { kind: 'motion' }, secrecy: 'secret', show_running_tally: true, duration_s: null });
  const votes = await api('GET', '/api/votes');
  voteId = votes[votes.length - 1].spec.id;
});

test('tablet home, agenda and library (no vote open yet)', async () => {
  const page = tablet.page;
  await page.locator('[data-testid="doc-status"]', { hasText: /\S/ }).first().waitFor({ timeout: 20_000 });
  await expectAccessibleAll(page, 'tablet home');
  for (const v of ['vi', 'en', 'ar']) {
    await setVariant(page, v);
    await screenshot(page, `a11y-tablet-${v}`);
    // mirrored in Arabic: the language picker sits at the inline end of the header's first row,
    // which is the right in vi/en and the left in ar; the greeting starts at the right in ar
    const picker = await page.getByRole('combobox', { name: v === 'ar' ? 'اللغة' : v === 'en' ? 'Language' : 'Ngôn ngữ' }).boundingBox();
    const greeting = await page.getByRole('heading', { level: 2 }).first().evaluate((el) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      const text = r.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return { fromLeft: text.left - box.left, fromRight: box.right - text.right };
    });
    if (v === 'ar') {
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      assert.ok(picker.x + picker.width < 640, `picker on the left in Arabic: ${JSON.stringify(picker)}`);
      assert.ok(greeting.fromRight < greeting.fromLeft, `greeting starts at the right: ${JSON.stringify(greeting)}`);
    } else {
      assert.ok(picker.x > 640, `picker on the right: ${JSON.stringify(picker)}`);
      assert.ok(greeting.fromLeft < greeting.fromRight, `greeting starts at the left: ${JSON.stringify(greeting)}`);
    }
  }
  await setVariant(page, 'large');
  await expectNoOverflow(page, 'tablet large 1280×800');
  await screenshot(page, 'a11y-tablet-large-1280x800');
  await page.setViewportSize({ width: 800, height: 1280 });
  await expectNoOverflow(page, 'tablet large 800×1280');
  await screenshot(page, 'a11y-tablet-large-800x1280');
  await setVariant(page, 'ar');
  await page.getByTestId('large-type').click();
  await expectNoOverflow(page, 'tablet large Arabic 800×1280');
  await screenshot(page, 'a11y-tablet-large-ar-800x1280');
  await page.setViewportSize({ width: 1280, height: 800 });
  await setVariant(page, 'vi');
});

test('tablet document viewer', async () => {
  const page = tablet.page;
  await page.getByRole('button', { name: /^Mở: Nghị quyết/ }).first().click();
  await page.getByTestId('reader').waitFor();
  await page.getByRole('img', { name: /Nghị quyết/ }).waitFor();
  await expectAccessibleAll(page, 'tablet document viewer');
  await setVariant(page, 'large');
  await page.setViewportSize({ width: 800, height: 1280 });
  await expectNoOverflow(page, 'tablet document viewer large 800×1280');
  await page.setViewportSize({ width: 1280, height: 800 });
  await setVariant(page, 'vi');
  await page.getByRole('button', { name: 'Đóng tài liệu', exact: true }).click();
});

test('a vote opens: announced; the ballot (choose, confirm) passes axe', async () => {
  const page = tablet.page;
  await api('POST', `/api/votes/${voteId}/open`, { client_id: crypto.randomUUID() });
  await page.getByRole('radiogroup').waitFor();
  // the opening is said at once (assertive live region)
  await page.getByRole('alert').filter({ hasText: 'Thông qua chương trình' }).waitFor();
  await expectAccessibleAll(page, 'tablet ballot');
  await expectAccessibleAll(page, 'tablet ballot confirm step', {
    prepare: async () => {
      await page.getByTestId('choose-for').check();
      await page.getByTestId('confirm-q').waitFor();
    },
  });
  await setVariant(page, 'large');
  await expectNoOverflow(page, 'tablet ballot large');
  await screenshot(page, 'a11y-tablet-ballot-large');
  await page.setViewportSize({ width: 800, height: 1280 });
  await expectNoOverflow(page, 'tablet ballot large 800×1280');
  await page.setViewportSize({ width: 1280, height: 800 });
  await setVariant(page, 'ar');
  await screenshot(page, 'a11y-tablet-ballot-ar');
  await setVariant(page, 'vi');
  await page.getByTestId('change').click();
});

test('a delegate votes with the keyboard and accessible names only; the receipt is announced', async () => {
  const code = await pairingCode('tablet', 'D0003');
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/tablet/`);
  // pairing by keyboard: the code field has the focus and a label
  const codeBox = page.getByRole('textbox', { name: 'Mã ghép nối (8 chữ số)' });
  await tabTo(page, codeBox);
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  const group = page.getByRole('radiogroup', { name: 'Lựa chọn của bạn' });
  await group.waitFor();
  // the ballot is a labelled region; its choices a radio group
  await page.getByRole('region', { name: /Biểu quyết: Thông qua chương trình/ }).waitFor();
  const first = page.getByRole('radio', { name: 'Tán thành', exact: true });
  await tabTo(page, first);
  await page.keyboard.press('ArrowDown'); // → "Không tán thành", selected
  const against = page.getByRole('radio', { name: 'Không tán thành', exact: true });
  // the focus stays on the chosen radio (the page re-renders on pushes: checked in the page)
  await page.waitForFunction(() => {
    const a = document.activeElement;
    return a?.getAttribute('type') === 'radio' && a.checked && a.labels?.[0]?.textContent?.trim() === 'Không tán thành';
  });
  assert.equal(await against.isChecked(), true);
  await screenshot(page, 'a11y-tablet-ballot-keyboard-focus');
  // the labelled confirm step names the choice
  const confirmStep = page.getByRole('group', { name: 'Bạn chọn: Không tán thành. Xác nhận?' });
  await confirmStep.waitFor();
  const confirm = confirmStep.getByRole('button', { name: 'Xác nhận', exact: true });
  await tabTo(page, confirm, 5);
  // visible focus: the focused button has an outline
  const outline = await confirm.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.keyboard.press('Enter');
  const announced = page.getByRole('status').filter({ hasText: /Mã biên nhận: [0-9A-F]{10}/ });
  await announced.waitFor();
  const said = await announced.innerText();
  assert.match(said, /^Phiếu của bạn đã được ghi nhận\. Mã biên nhận: [0-9A-F]{10}$/);
  const shown = await page.getByText(/^Mã biên nhận: /).innerText();
  assert.ok(said.endsWith(shown), `${said} / ${shown}`);
  // the focus moved to the result, not to the top of the page
  assert.equal(await page.getByText('Phiếu của bạn đã được ghi nhận', { exact: true }).evaluate((el) => el === document.activeElement), true);
  await expectAccessible(page, 'tablet ballot recorded');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The delegate table has 450 rows: axe checks the first ten (every kind of row), in seconds. */
const MANY_ROWS = ['tr[data-testid="delegate-row"]:nth-child(n+11)'];

test('console main: every panel and dialog', async () => {
  const page = op.page;
  await page.getByTestId(`close-${voteId}`).waitFor();
  await page.locator('[data-testid="doc-admin-list"]').waitFor();
  await expectAccessibleAll(page, 'console main', { exclude: MANY_ROWS });
  await setVariant(page, 'ar');
  await screenshot(page, 'a11y-console-ar');
  await setVariant(page, 'vi');
  // the check-in dialog: focus inside, Escape closes, the focus returns to the row's button
  const checkIn = page.getByTestId('check-in').first();
  const dialog = page.getByRole('dialog');
  await expectAccessibleAll(page, 'console check-in dialog', {
    include: 'dialog',
    prepare: async () => {
      await checkIn.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'focus is in the dialog');
    },
    cleanup: async () => {
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await checkIn.evaluate((el) => el === document.activeElement), true, 'focus back on the button');
    },
  });
  // the unpair dialog
  await expectAccessibleAll(page, 'console unpair dialog', {
    include: 'dialog',
    prepare: async () => {
      await page.getByTestId('devices').getByRole('button').first().click();
      await dialog.waitFor();
    },
    cleanup: async () => {
      await dialog.getByTestId('dialog-cancel').click();
      await dialog.waitFor({ state: 'detached' });
    },
  });
  // the face enrolment dialog (desk webcam = Chromium's fake camera)
  if (FACE_OK) {
    await expectAccessibleAll(page, 'console enrol dialog', {
      include: 'dialog',
      prepare: async () => {
        await page.getByTestId('enrol').first().click();
        await dialog.waitFor();
      },
      cleanup: async () => {
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
      },
    });
  }
  assert.deepEqual(page.errors, []);
});

test('projector', async () => {
  const [proj] = await Promise.all([op.page.context().waitForEvent('page'), op.page.getByRole('button', { name: 'Mở màn chiếu', exact: true }).click()]);
  await proj.getByTestId('proj-vote').waitFor();
  await expectAccessibleAll(proj, 'projector');
  await proj.close();
});

test('kiosk pairing and idle screen', async () => {
  const { page, context } = await newPage(browser);
  await context.grantPermissions(['camera'], { origin: server.url });
  await page.goto(`${server.url}/kiosk/`);
  await page.getByTestId('pair-code').waitFor();
  await expectAccessibleAll(page, 'kiosk pairing');
  await pairPage(page, '/kiosk/', await pairingCode('kiosk'), page.locator('[data-testid="kiosk"][data-conn="online"]'));
  await page.getByTestId('face-panel').waitFor();
  await expectAccessibleAll(page, 'kiosk idle');
  await setVariant(page, 'en');
  await screenshot(page, 'a11y-kiosk-idle-en');
  await context.close();
});

test('kiosk greeting', { skip: FACE_OK ? false : 'face models or photos missing' }, async () => {
  const { page, context } = await newPage(camBrowser);
  await context.grantPermissions(['camera'], { origin: server.url });
  await pairPage(page, '/kiosk/', await pairingCode('kiosk'), page.locator('[data-testid="kiosk"][data-conn="online"]'));
  await setVariant(page, 'en');
  const greeted = page.locator(`[data-testid="face-panel"][data-status="recognized"][data-delegate="${ENROLLED}"]`);
  await greeted.waitFor({ timeout: 30_000 });
  // the greeting is in a live region
  await page.getByRole('status').filter({ hasText: /Welcome|You checked in/ }).waitFor();
  await screenshot(page, 'a11y-kiosk-greeting-en');
  await expectAccessibleAll(page, 'kiosk greeting', { prepare: () => greeted.waitFor({ timeout: 30_000 }) });
  await context.close();
});

test('the tablet announces the connection lost and back (server restart)', async () => {
  const page = tablet.page;
  await page.locator('[data-testid="conn"][data-conn="online"]').waitFor();
  const { url, data } = server;
  await server.stop({ keepData: true });
  server = null;
  // said at once (assertive), then again politely when it is back
  // (the offline banner says it too; the announcer is the region that exists before the text)
  await page.getByTestId('announcer-assertive').filter({ hasText: 'Mất kết nối với máy chủ' }).waitFor();
  server = await startServer({ data, listen: new URL(url).host });
  await page.getByRole('status').filter({ hasText: /^Đã kết nối lại với máy chủ$/ }).waitFor({ timeout: 20_000 });
  assert.deepEqual(page.errors.filter((e) => !/^WebSocket connection to .* failed/.test(e)), []);
});
