// (e) The meeting: the console starts an agenda item; two tablets ask to speak (one with a
// point of order, which goes first); a third delegate who is not checked in cannot; the console
// gives the floor with a time limit; the projector, switched to the speaker scene, shows the
// speaker, a big countdown and the next speaker; the tablet shows "you have the floor"; a
// notice typed on the console is shown as text (never HTML) and survives a projector reload.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS,
  consoleToken,
  fixtureDelegate,
  loginConsole,
  newPage,
  openProjector,
  pairTablet,
  screenshot,
  setAttendanceApi,
  startServerAndBrowser,
  stopServerAndBrowsers,
} from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

/** Seconds shown by a countdown element (`m:ss`). */
async function shownSeconds(page, testid) {
  const text = await page.getByTestId(testid).innerText();
  const m = /(\d+):(\d\d)/.exec(text);
  assert.ok(m, `no m:ss in ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

test('a speaker queue from two tablets and the console, with the projector following', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);
  await setAttendanceApi(server, token, 'D0001', 'present');
  await setAttendanceApi(server, token, 'D0002', 'present');
  const [d1, d2, d3] = ['D0001', 'D0002', 'D0003'].map((id) => fixtureDelegate(id).full_name);

  const t1 = await pairTablet(browser, server, op.page, 'D0001');
  const t2 = await pairTablet(browser, server, op.page, 'D0002');
  const t3 = await pairTablet(browser, server, op.page, 'D0003'); // not checked in

  const proj = await openProjector(op.page);
  await proj.setViewportSize({ width: 1280, height: 720 });
  await proj.waitForSelector('[data-testid="present-count"]');

  // The chair starts item A2: it is in progress everywhere.
  await op.page.getByTestId('set-current-A2').click();
  await op.page.waitForSelector('[data-testid="status-A2"]');
  await op.page.waitForFunction(() => document.querySelector('[data-item="A2"]')?.getAttribute('data-status') === 'in_progress');
  await t1.page.getByTestId('request-speak').waitFor();

  // D3 is not checked in: the buttons are off and the tablet says why.
  await t3.page.getByTestId('speak-not-present').waitFor();
  assert.equal(await t3.page.getByTestId('request-speak').isDisabled(), true);

  // D1 asks to speak; D2 raises a point of order, which goes to the front.
  await t1.page.getByTestId('request-speak').click();
  await t1.page.waitForSelector('[data-testid="my-request"][data-place="1"]');
  await t2.page.getByTestId('request-poo').click();
  await t2.page.waitForSelector('[data-testid="my-request"][data-place="1"]');
  await t1.page.waitForSelector('[data-testid="my-request"][data-place="2"]');

  // The console sees the queue in that order.
  await op.page.waitForFunction(() => document.querySelectorAll('[data-testid="speaker-queue"] li').length === 2);
  const order = await op.page.locator('[data-testid="speaker-queue"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-delegate')));
  assert.deepEqual(order, ['D0002', 'D0001']);

  // Projector to the speaker scene; D2 gets the floor for 90 s.
  await op.page.getByTestId('scene-speaker').click();
  await proj.waitForSelector('[data-testid="proj-speaker"]');
  await op.page.getByTestId('grant-limit').fill('90');
  await op.page.locator('[data-testid="speaker-queue"] li[data-delegate="D0002"] [data-testid^="grant-"]').click();

  await proj.waitForFunction((name) => document.querySelector('[data-testid="proj-speaker-name"]')?.textContent === name, d2);
  await proj.waitForSelector('[data-testid="proj-countdown"]');
  const left = await shownSeconds(proj, 'proj-countdown');
  assert.ok(left > 80 && left <= 90, `countdown shows ${left}s of 90`);
  assert.equal(await proj.getByTestId('proj-next').innerText(), d1);
  // The countdown runs locally: a second later it shows less.
  await proj.waitForFunction((before) => {
    const m = /(\d+):(\d\d)/.exec(document.querySelector('[data-testid="proj-countdown"]')?.textContent ?? '');
    return m && Number(m[1]) * 60 + Number(m[2]) < before;
  }, left);
  // D2's tablet: "you have the floor" with its own countdown.
  await t2.page.getByTestId('have-floor').waitFor();
  assert.ok((await shownSeconds(t2.page, 'floor-countdown')) <= 90);
  await screenshot(proj, 'e1-projector-speaker');
  await screenshot(t2.page, 'e2-tablet-floor');
  await screenshot(op.page, 'e3-console-speakers');
  // In Arabic the projector reads right to left; the numbers stay m:ss.
  await proj.getByTestId('lang').selectOption('ar');
  await proj.waitForFunction(() => document.documentElement.dir === 'rtl');
  await proj.waitForSelector('[data-testid="proj-countdown"]');
  assert.match(await proj.getByTestId('proj-countdown').innerText(), /\d+:\d\d/);
  await screenshot(proj, 'e5-projector-speaker-ar');
  await proj.getByTestId('lang').selectOption('vi');

  // Stop D2; give the floor to D1 with the default limit.
  await op.page.getByTestId('speaker-stop').click();
  await op.page.getByTestId('grant-limit').fill('');
  await op.page.locator('[data-testid="speaker-queue"] li[data-delegate="D0001"] [data-testid^="grant-"]').click();
  await proj.waitForFunction((name) => document.querySelector('[data-testid="proj-speaker-name"]')?.textContent === name, d1);
  await t1.page.getByTestId('have-floor').waitFor();
  await t2.page.waitForFunction(() => !document.querySelector('[data-testid="have-floor"]'));

  // A notice with markup is shown as the text typed; a reloaded projector shows it again.
  const notice = '<b>Giải lao</b> 15 phút';
  await op.page.getByTestId('scene-notice-text').fill(notice);
  await op.page.getByTestId('scene-notice').click();
  await proj.waitForSelector('[data-testid="proj-notice"]');
  assert.equal(await proj.locator('.proj-notice-text').innerText(), notice);
  assert.equal(await proj.locator('.proj-notice-text b').count(), 0);
  await proj.reload();
  await proj.waitForSelector('[data-testid="proj-notice"]');
  assert.equal(await proj.locator('.proj-notice-text').innerText(), notice);
  await screenshot(proj, 'e4-projector-notice');

  // Closing the item ends the speech and empties the queue.
  await op.page.getByTestId('item-close-A2').click();
  await op.page.waitForFunction(() => document.querySelector('[data-item="A2"]')?.getAttribute('data-status') === 'done');
  await t1.page.waitForFunction(() => !document.querySelector('[data-testid="have-floor"]'));

  await op.page.getByTestId('meeting-agenda').screenshot({ path: `${ARTIFACTS}/e6-console-agenda.png` });

  for (const p of [op.page, t1.page, t2.page, t3.page]) assert.deepEqual(p.errors, []);
  assert.ok(d3);
});
