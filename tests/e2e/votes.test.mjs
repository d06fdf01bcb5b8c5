// (d) Votes: an operator creates and opens a vote on the console, two tablet pages vote
// (choose → confirm → "recorded" + receipt), the operator closes it, and the projector page
// shows the result.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkInAll, consoleToken, delegateIds, loginConsole, newPage, openProjector, pairTablet, screenshot, startServerAndBrowser, stopServerAndBrowsers } from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

test('operator opens a vote, two tablets vote, the projector shows the result', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);
  // Quorum: check in 320 delegates through the API.
  await checkInAll(server, token, delegateIds(320), { batch: 20 });

  const tablets = [];
  for (const id of ['D0001', 'D0002']) tablets.push(await pairTablet(browser, server, op.page, id));

  const proj = await openProjector(op.page);
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
  // 2 ballots with 320 present: below the turnout safeguard (more than half of those present
  // must cast a ballot, issue 15), so nothing is decided; the counts are still shown.
  assert.equal(outcome, 'insufficient_turnout');
  const bars = await proj.locator('[data-testid="bar-n"]').allInnerTexts();
  assert.deepEqual(bars, ['1', '1', '0']);
  await screenshot(proj, 'd2-projector-result');
  await tablets[1].page.getByTestId('result').waitFor();
  for (const tab of tablets) assert.deepEqual(tab.page.errors, []);
  assert.deepEqual(op.page.errors, []);
});
