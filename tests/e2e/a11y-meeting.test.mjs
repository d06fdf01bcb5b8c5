// (d2) Accessibility of the meeting screens (issue 6): axe-core (WCAG 2.0 A/AA, 2.1 AA; serious
// and critical violations and the page-structure rules fail) in vi, en, ar and large type on the
// console's agenda, speakers, projector-scene, notices, groups, minutes and audit panels (with a
// queue and a speaker, a sent notice and its receipts, a submitted summary); the tablet's
// request to speak (waiting, and "you have the floor" with its countdown), notice dialog and
// notices list, opinion form and the secretary's compile view; every projector scene. The new
// tablet screens in large type neither scroll sideways nor clip text at 800×1280.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  callApi,
  checkInAll,
  consoleToken,
  delegateIds,
  expectAccessible,
  expectAccessibleAll,
  expectNoOverflow,
  loginConsole,
  newPage,
  openProjector,
  openTablet,
  pairingCodeApi,
  screenshot,
  setVariant,
  startServerAndBrowser,
  stopServerAndBrowsers,
} from './helpers.mjs';

let server;
let browser;
let op;
let token;
let t1; // D0001: asks to speak, waits; member of Tổ 1
let t2; // D0002: has the floor; member of Tổ 1
let sec; // D0003: Tổ 1's secretary
let proj;

/** The REST API as the console's operator. */
const api = (method, path, body) => callApi(server, token, method, path, body);

/** A tablet for `delegateId`, paired through the API; its page. */
async function pairTablet(delegateId) {
  const code = await pairingCodeApi(server, token, 'tablet', delegateId);
  return (await openTablet(browser, server, code, { viewport: { width: 1280, height: 800 }, hasTouch: true })).page;
}

/** Large type, portrait 800×1280: no sideways scrolling, no clipped text; back to vi landscape. */
async function largePortrait(page, label, show) {
  await setVariant(page, 'large');
  await page.setViewportSize({ width: 800, height: 1280 });
  await expectNoOverflow(page, `${label}, large type, 800×1280`);
  await page.getByTestId(show).scrollIntoViewIfNeeded();
  await screenshot(page, `a11y-meeting-${label.replace(/\W+/g, '-')}-large-800x1280`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await setVariant(page, 'vi');
}

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

/** The delegate table has 450 rows: axe checks the first ten. */
const MANY_ROWS = ['tr[data-testid="delegate-row"]:nth-child(n+11)'];

test('setup: quorum, Tổ 1 secretary, A4 on the floor, three tablets, the projector', async () => {
  op = await newPage(browser, { viewport: { width: 1366, height: 900 } });
  await loginConsole(op.page, server);
  token = await consoleToken(op.page);
  await checkInAll(server, token, delegateIds(310), { batch: 40 });
  await op.page.getByTestId('secretary-Tổ 1').selectOption('D0003');
  await op.page.waitForFunction(() => document.querySelector('[data-testid="secretary-Tổ 1"]')?.value === 'D0003');
  await op.page.getByTestId('set-current-A4').click();
  await op.page.waitForFunction(() => document.querySelector('[data-item="A4"]')?.getAttribute('data-status') === 'in_progress');
  t1 = await pairTablet('D0001');
  t2 = await pairTablet('D0002');
  sec = await pairTablet('D0003');
  proj = await openProjector(op.page, { exact: true });
  await proj.setViewportSize({ width: 1280, height: 720 });
  await proj.waitForSelector('[data-testid="present-count"]');
});

test('tablet: request to speak, waiting', async () => {
  await t1.getByTestId('request-speak').click();
  await t1.waitForSelector('[data-testid="my-request"][data-place="1"]');
  await t2.getByTestId('request-speak').click();
  await t2.waitForSelector('[data-testid="my-request"][data-place="2"]');
  await t1.getByTestId('my-request').scrollIntoViewIfNeeded();
  await expectAccessibleAll(t1, 'tablet speak waiting');
  await largePortrait(t1, 'tablet speak waiting', 'my-request');
});

test('tablet: you have the floor, with a countdown', async () => {
  await op.page.locator('[data-testid="speaker-queue"] li[data-delegate="D0002"] [data-testid^="grant-"]').click();
  await t2.getByTestId('have-floor').waitFor();
  await t2.getByTestId('floor-countdown').waitFor();
  await expectAccessibleAll(t2, 'tablet have the floor');
  await largePortrait(t2, 'tablet have floor', 'have-floor');
});

test('projector: every scene', async () => {
  // a vote for the vote and result scenes, open now
  const vote = await api('POST', '/api/votes', { client_id: crypto.randomUUID(), title: 'Thông qua chương trình', kind: { kind: 'motion' }, secrecy: 'open' });
  const voteId = vote.spec.id;
  await api('POST', `/api/votes/${voteId}/open`, { client_id: crypto.randomUUID() });
  const scenes = [
    ['agenda', '[data-testid="proj-plan"]'],
    ['speaker', '[data-testid="proj-speaker"]'],
    ['quorum', '[data-testid="quorum-reached"]'],
    ['vote', '[data-testid="proj-vote-scene"]'],
  ];
  for (const [scene, sel] of scenes) {
    await op.page.getByTestId(`scene-${scene}`).click();
    await proj.waitForSelector(sel);
    await expectAccessibleAll(proj, `projector scene ${scene}`);
  }
  await op.page.getByTestId('scene-notice-text').fill('Giải lao 15 phút');
  await op.page.getByTestId('scene-notice').click();
  await proj.waitForSelector('[data-testid="proj-notice"]');
  await expectAccessibleAll(proj, 'projector scene notice');
  await api('POST', `/api/votes/${voteId}/close`, { client_id: crypto.randomUUID() });
  await op.page.getByTestId('scene-result').click();
  await proj.waitForSelector('[data-testid="proj-result"]');
  await expectAccessibleAll(proj, 'projector scene result');
  await setVariant(proj, 'ar');
  await screenshot(proj, 'a11y-meeting-projector-result-ar');
  await setVariant(proj, 'vi');
});

test('tablet: opinion form; secretary compile view', async () => {
  await t1.getByTestId('opinion-text').scrollIntoViewIfNeeded();
  await expectAccessibleAll(t1, 'tablet opinion form');
  await t1.getByTestId('opinion-text').fill('Đề nghị bổ sung chỉ tiêu chuyển đổi số.');
  await t1.getByTestId('opinion-send').click();
  await t1.getByTestId('opinion-saved').waitFor();
  await expectAccessible(t1, 'tablet opinion saved');
  await largePortrait(t1, 'tablet opinion', 'opinion-text');
  await sec.locator('[data-testid="group-opinion"]').first().waitFor();
  await sec.getByTestId('summary-insert').click();
  await sec.getByTestId('secretary-view').scrollIntoViewIfNeeded();
  await expectAccessibleAll(sec, 'tablet secretary compile');
  await largePortrait(sec, 'tablet secretary', 'secretary-view');
  await sec.getByTestId('summary-submit').click();
  await sec.getByTestId('summary-confirm').click();
  await sec.getByTestId('summary-submitted').waitFor();
  await expectAccessible(sec, 'tablet secretary submitted');
});

test('tablet: notice dialog and notices list', async () => {
  let n = 0;
  await expectAccessibleAll(t1, 'tablet notice dialog', {
    include: 'dialog',
    prepare: async () => {
      n += 1;
      await api('POST', '/api/notices', { client_id: crypto.randomUUID(), text: `Thông báo ${n}: phòng họp Tổ 1 chuyển sang P.201`, audience: { kind: 'delegate', delegate_id: 'D0001' } });
      await t1.getByTestId('notice-dialog').waitFor();
    },
    cleanup: async () => {
      await t1.getByTestId('notice-ack').click();
      await t1.waitForFunction(() => !document.querySelector('[data-testid="notice-dialog"]')?.open);
    },
  });
  await t1.locator('[data-testid="notice-item"][data-read="true"]').first().waitFor();
  await t1.getByTestId('notices').scrollIntoViewIfNeeded();
  await expectAccessibleAll(t1, 'tablet notices list');
  await largePortrait(t1, 'tablet notices', 'notices');
});

test('console: agenda, speakers, scenes, notices, groups, minutes and audit panels', async () => {
  const page = op.page;
  // a notice to everyone, read by one tablet
  await page.getByTestId('notices-panel').getByTestId('notice-text').fill('Mời các đại biểu về hội trường');
  await page.getByTestId('notice-send').click();
  await page.getByTestId('notice-sent').waitFor();
  await t2.getByTestId('notice-dialog').waitFor();
  await t2.getByTestId('notice-ack').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="notice-status"]')].some((e) => e.getAttribute('data-read') === '1'));
  await page.locator('[data-testid="group-summary"][data-group="Tổ 1"]').waitFor();
  await page.getByTestId('speaking-now').waitFor();
  await page.locator('[data-testid="speaker-queue"] li').first().waitFor();
  await page.getByTestId('audit-refresh').click();
  await page.getByTestId('audit-table').waitFor();
  await expectAccessibleAll(page, 'console meeting panels', { exclude: MANY_ROWS });
  await setVariant(page, 'ar');
  await page.getByTestId('speakers').scrollIntoViewIfNeeded();
  await screenshot(page, 'a11y-meeting-console-ar');
  await setVariant(page, 'vi');
  for (const p of [page, t1, t2, sec, proj]) assert.deepEqual(p.errors ?? [], []);
});
