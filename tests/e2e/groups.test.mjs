// (g) Discussion groups and notices: two members of Tổ 1 send written opinions from their
// tablets, the group's secretary compiles them and submits the summary, the console shows it;
// a notice with markup reaches a member's tablet as plain text, and the console shows it read.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { consoleToken, loginConsole, newPage, pairTablet, screenshot, setAttendanceApi, startServerAndBrowser, stopServerAndBrowsers } from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

/** A member's tablet, paired from the console. */
const memberTablet = (op, delegateId) => pairTablet(browser, server, op, delegateId, { viewport: { width: 1024, height: 900 }, hasTouch: true });

const MARKUP = '<img src=x onerror="window.__pwned=1"> Phòng họp Tổ 1 chuyển sang P.201 lúc 14:30';

test('members send opinions, the secretary submits the summary, a notice is read', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);
  for (const id of ['D0001', 'D0002', 'D0003']) await setAttendanceApi(server, token, id, 'present');

  // The secretariat designates Tổ 1's secretary and puts A4 (group discussion) on the floor.
  await op.page.getByTestId('groups-table').waitFor();
  await op.page.getByTestId('secretary-Tổ 1').selectOption('D0003');
  await op.page.waitForFunction(() => document.querySelector('[data-testid="secretary-Tổ 1"]')?.value === 'D0003');
  await op.page.getByTestId('set-current-A4').click();

  const members = [await memberTablet(op.page, 'D0001'), await memberTablet(op.page, 'D0002')];
  const sec = await memberTablet(op.page, 'D0003');
  await sec.page.getByTestId('secretary-view').waitFor();

  // An opinion over the limit is refused with a clear message, nothing is sent.
  const m2 = members[1].page;
  await m2.getByTestId('opinion-text').fill('ý'.repeat(4001));
  await m2.getByTestId('opinion-send').click();
  await m2.locator('[data-testid="opinion-error"][data-code="too_long"]').waitFor();

  const texts = [
    'Đề nghị bổ sung chỉ tiêu chuyển đổi số vào phương hướng nhiệm kỳ.',
    'Tán thành dự thảo; đề nghị làm rõ nguồn lực cho y tế cơ sở.',
  ];
  for (const [i, tab] of members.entries()) {
    await tab.page.getByTestId('opinion-text').fill(texts[i]);
    await tab.page.getByTestId('opinion-send').click();
    await tab.page.getByTestId('opinion-saved').waitFor();
  }
  await screenshot(members[0].page, 'g1-tablet-opinion');

  // The secretary sees both, compiles, saves a draft, submits after confirming.
  await sec.page.waitForFunction(() => document.querySelectorAll('[data-testid="group-opinion"]').length === 2);
  await sec.page.getByTestId('summary-insert').click();
  const draft = await sec.page.getByTestId('summary-text').inputValue();
  for (const t of texts) assert.ok(draft.includes(t), `the summary draft holds "${t}"`);
  await sec.page.getByTestId('summary-text').fill(`Tổ 1 thống nhất:\n${draft}`);
  await sec.page.getByTestId('summary-draft').click();
  await sec.page.getByTestId('draft-saved').waitFor();
  await sec.page.getByTestId('summary-submit').click();
  await screenshot(sec.page, 'g2-secretary-confirm');
  await sec.page.getByTestId('summary-confirm').click();
  await sec.page.getByTestId('summary-submitted').waitFor();

  // The members' forms are frozen now.
  await members[0].page.getByTestId('opinion-frozen').waitFor();

  // The console shows the summary for A4, and which groups have not submitted.
  const summary = op.page.locator('[data-testid="group-summary"][data-group="Tổ 1"]');
  await summary.waitFor();
  const shown = await summary.innerText();
  assert.ok(shown.includes('Tổ 1 thống nhất') && shown.includes(texts[1]), shown);
  assert.equal(await op.page.getByTestId('summaries-count').getAttribute('data-value'), '1');
  assert.match(await op.page.getByTestId('summaries-missing').innerText(), /Tổ 2/);
  await op.page.getByTestId('groups-panel').scrollIntoViewIfNeeded();
  await screenshot(op.page, 'g3-console-summary');

  // A notice with markup to Tổ 1: shown as text on the tablet, read, counted on the console.
  await op.page.getByTestId('notice-text').fill(MARKUP);
  await op.page.getByTestId('notice-audience').selectOption('group');
  await op.page.getByTestId('notice-group').selectOption('Tổ 1');
  await op.page.getByTestId('notice-send').click();
  await op.page.getByTestId('notice-sent').waitFor();
  const tab = members[0].page;
  await tab.getByTestId('notice-dialog').waitFor();
  assert.equal(await tab.getByTestId('notice-dialog-text').innerText(), MARKUP);
  assert.equal(await tab.locator('[data-testid="notice-dialog"] img').count(), 0, 'no element made of the markup');
  assert.equal(await tab.evaluate(() => window.__pwned), undefined);
  await screenshot(tab, 'g4-tablet-notice');
  await tab.getByTestId('notice-ack').click();
  await tab.waitForFunction(() => !document.querySelector('[data-testid="notice-dialog"]')?.open);
  await tab.locator('[data-testid="notice-item"][data-read="true"]').waitFor();

  const status = op.page.locator('[data-testid="notice-status"]').first();
  await op.page.waitForFunction(() => document.querySelector('[data-testid="notice-status"]')?.getAttribute('data-read') === '1');
  assert.equal(await status.getAttribute('data-recipients'), '44');
  assert.ok((await status.innerText()).includes(MARKUP), 'the console shows the text verbatim');
  assert.equal(await op.page.evaluate(() => window.__pwned), undefined);
  await status.scrollIntoViewIfNeeded();
  await screenshot(op.page, 'g5-console-notice-read');

  // The other member still has it open; a notice in Arabic layout stays readable too.
  await members[1].page.getByTestId('notice-dialog').waitFor();
  await members[1].page.evaluate(() => {
    localStorage.setItem('congress.lang', 'ar');
  });
  await members[1].page.reload();
  await members[1].page.getByTestId('notice-dialog').waitFor();
  await screenshot(members[1].page, 'g6-tablet-notice-ar');

  for (const t of [...members, sec]) assert.deepEqual(t.page.errors, []);
  assert.deepEqual(op.page.errors, []);
});
