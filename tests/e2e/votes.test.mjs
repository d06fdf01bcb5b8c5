// (d) Votes: an operator creates and opens a vote on the console, two tablet pages vote
// (choose → confirm → "recorded" + receipt), the operator closes it, and the projector page
// shows the result.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { consoleToken, launchBrowser, loginConsole, newPage, screenshot, setAttendanceApi, startServer } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function createCode(consolePage, kind, delegateId) {
  await consolePage.getByTestId('pair-kind').selectOption(kind);
  await consolePage.getByTestId('pair-delegate').fill(delegateId);
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
  return (await consolePage.getByTestId('pairing-code').innerText()).replace(/\D/g, '');
}

test('operator opens a vote, two tablets vote, the projector shows the result', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);
  // Quorum: check in 320 delegates through the API.
  const ids = Array.from({ length: 320 }, (_, i) => `D${String(i + 1).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(ids.slice(i, i + 20).map((id) => setAttendanceApi(server, token, id, 'present')));
  }

  const tablets = [];
  for (const id of ['D0001', 'D0002']) {
    const code = await createCode(op.page, 'tablet', id);
    const tab = await newPage(browser, { viewport: { width: 1024, height: 768 }, hasTouch: true });
    await tab.page.goto(`${server.url}/tablet/`);
    await tab.page.getByTestId('pair-code').fill(code);
    await tab.page.getByTestId('pair-submit').click();
    await tab.page.getByTestId('greeting').waitFor();
    tablets.push(tab);
  }

  const [proj] = await Promise.all([
    op.page.context().waitForEvent('page'),
    op.page.getByRole('button', { name: 'Mở màn chiếu' }).click(),
  ]);
  await proj.waitForSelector('[data-testid="present-count"]');

  await op.page.getByTestId('vote-title').fill('Thông qua chương trình đại hội');
  await op.page.getByTestId('vote-create').click();
  const open = op.page.locator('[data-testid^="open-"]').first();
  await open.click();
  await op.page.locator('[data-testid^="close-"]').first().waitFor();

  for (const [i, tab] of tablets.entries()) {
    await tab.page.getByTestId(i === 0 ? 'choose-for' : 'choose-against').click();
    await tab.page.getByTestId('confirm').click();
    await tab.page.getByTestId('vote-recorded').waitFor();
    const receipt = await tab.page.getByTestId('receipt').innerText();
    assert.match(receipt, /[0-9A-F]{10}/);
  }
  await screenshot(tablets[0].page, 'd1-tablet-recorded');
  await proj.waitForSelector('[data-testid="proj-vote"][data-state="open"]');
  await proj.waitForFunction(() => document.querySelector('[data-testid="proj-turnout"]')?.textContent?.includes('2'));

  await op.page.locator('[data-testid^="close-"]').first().click();
  await proj.waitForSelector('[data-testid="proj-vote"][data-state="closed"] [data-testid="outcome"]');
  const outcome = await proj.locator('[data-testid="outcome"]').getAttribute('data-outcome');
  assert.equal(outcome, 'rejected'); // 1 for, 1 against: not more than half
  const bars = await proj.locator('[data-testid="bar-n"]').allInnerTexts();
  assert.deepEqual(bars, ['1', '1', '0']);
  await screenshot(proj, 'd2-projector-result');
  await tablets[1].page.getByTestId('result').waitFor();
  for (const tab of tablets) assert.deepEqual(tab.page.errors, []);
  assert.deepEqual(op.page.errors, []);
});
