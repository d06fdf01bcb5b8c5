// (b) Manual check-in at the credentials desk, with a reason; a second console (another browser
// context) sees the present count and the quorum change live, without reloading.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  checkInAll,
  consoleToken,
  delegateIds,
  fixtureDelegate,
  loginConsole,
  newPage,
  presentCount,
  screenshot,
  startServerAndBrowser,
  stopServerAndBrowsers,
  waitPresent,
} from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

async function quorumReached(page) {
  return (await page.getByTestId('quorum-reached').getAttribute('data-reached')) === 'true';
}

async function waitReached(page, want) {
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid="quorum-reached"]')?.getAttribute('data-reached') === String(w),
    want,
  );
}

/** Checks a delegate in (or out) through the UI: search, row button, reason dialog. */
async function manualChange(page, id, action) {
  await page.getByTestId('delegate-search').fill(id);
  const row = page.locator(`[data-testid="delegate-row"][data-id="${id}"]`);
  await row.getByTestId(action).click();
  const dialog = page.getByTestId('dialog');
  await dialog.waitFor();
  return { row, dialog };
}

test('manual check-in with a reason updates a second console live, quorum included', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  await loginConsole(a.page, server);
  await loginConsole(b.page, server);

  const before = await presentCount(b.page);
  assert.equal(before, 0);
  assert.equal(await quorumReached(b.page), false);
  const required = Number(await b.page.getByTestId('required-count').innerText());
  assert.equal(required, 300); // two thirds of 450

  // --- one check-in through the UI, reason prefilled
  const target = fixtureDelegate('D0002');
  const { row, dialog } = await manualChange(a.page, 'D0002', 'check-in');
  assert.match(await dialog.innerText(), new RegExp(target.full_name));
  const reason = dialog.getByTestId('reason');
  assert.equal(await reason.inputValue(), 'Kiểm tra giấy tờ tại bàn thẩm tra');
  await reason.fill('Kiểm tra giấy tờ tại bàn thẩm tra, CCCD khớp');
  await screenshot(a.page, 'b1-checkin-dialog');
  await dialog.getByTestId('dialog-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  await a.page.waitForFunction(() => document.querySelector('[data-id="D0002"]')?.getAttribute('data-status') === 'present');
  assert.match(await row.getByTestId('status').innerText(), /Có mặt/);

  await waitPresent(a.page, 1);
  await waitPresent(b.page, 1); // live on the second console
  await b.page.waitForFunction(() => document.querySelector('[data-id="D0002"]')?.getAttribute('data-status') === 'present');

  // --- bring the hall to one short of quorum through the API, then the deciding check-in by hand
  const token = await consoleToken(a.page);
  const ids = delegateIds(450).filter((id) => id !== 'D0002' && id !== 'D0450');
  const bulk = ids.slice(0, required - 2); // 1 (D0002) + 298 = 299 present
  await checkInAll(server, token, bulk, { batch: 10 });
  await waitPresent(b.page, required - 1);
  assert.equal(await quorumReached(b.page), false);

  const deciding = await manualChange(a.page, 'D0450', 'check-in');
  await deciding.dialog.getByTestId('dialog-confirm').click();
  await deciding.dialog.waitFor({ state: 'detached' });
  await waitPresent(b.page, required);
  await waitReached(b.page, true);
  await screenshot(b.page, 'b2-second-console-quorum-reached');

  // --- marking a delegate as left drops the quorum again, live
  const left = await manualChange(a.page, 'D0450', 'mark-left');
  assert.match(await left.dialog.getByTestId('reason').inputValue(), /rời hội trường/);
  await left.dialog.getByTestId('dialog-confirm').click();
  await left.dialog.waitFor({ state: 'detached' });
  await waitPresent(b.page, required - 1);
  await waitReached(b.page, false);
  await b.page.waitForFunction(() => document.querySelector('[data-id="D0450"]')?.getAttribute('data-status') === 'left');

  // --- an empty reason is refused before anything is sent
  const empty = await manualChange(a.page, 'D0450', 'check-in');
  await empty.dialog.getByTestId('reason').fill('   ');
  await empty.dialog.getByTestId('dialog-confirm').click();
  await empty.dialog.getByRole('alert').waitFor();
  await empty.dialog.getByTestId('dialog-cancel').click();
  await waitPresent(b.page, required - 1);

  assert.deepEqual(a.page.errors, []);
  assert.deepEqual(b.page.errors, []);
  assert.deepEqual([...a.page.httpErrors, ...b.page.httpErrors], []);
  await a.context.close();
  await b.context.close();
});
