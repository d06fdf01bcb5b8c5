// Encrypted secret ballot (docs/ballot-crypto.md): the console defines a counting board of three
// delegates; their tablets make the key through their own screens (deal, then check); a secret
// motion is encrypted on four tablets (the receipt is the short tracker; a ballot lost on the way
// is sent again, the same bytes, after a reload); after the close two
// members decrypt on their tablets, the console and projector show "decrypting k/t" then the
// result, and a delegate's "check my ballot" verifies the whole board and finds the ballot.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { callApi, checkInAll, consoleToken, delegateIds, expectAccessible, loginConsole, newPage, openProjector, pairTablet, screenshot, startServerAndBrowser, stopServerAndBrowsers } from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

test('a counting board made on tablets, an encrypted secret motion, decrypted by two members and checked by a delegate', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);
  await checkInAll(server, token, delegateIds(320), { batch: 20 });

  const ids = ['D0001', 'D0002', 'D0003', 'D0004'];
  const tablets = [];
  for (const id of ids) tablets.push(await pairTablet(browser, server, op.page, id));
  const members = tablets.slice(0, 3);

  // The console defines the board: three members, two needed to decrypt.
  const panel = op.page.getByTestId('board-panel');
  await panel.locator('summary').click();
  for (const id of ids.slice(0, 3)) {
    await panel.getByTestId('board-member').fill(id);
    await panel.getByTestId('board-add').click();
  }
  await panel.getByTestId('board-threshold').fill('2');
  await panel.getByTestId('board-define').click();
  await panel.locator('[data-testid="board-view"][data-phase="dealing"]').waitFor();

  // Each member's tablet: "Counting board: create the key" → deal; then check what it received.
  for (const m of members) await m.page.getByTestId('board-deal').click();
  await panel.locator('[data-testid="board-view"][data-phase="checking"]').waitFor();
  await screenshot(members[0].page, 'secret-1-member-check');
  await expectAccessible(members[0].page, 'tablet: counting board card');
  for (const m of members) await m.page.getByTestId('board-check').click();
  await panel.locator('[data-testid="board-view"][data-phase="ready"]').waitFor();
  await expectAccessible(op.page, 'console: counting board panel', { include: '#counting-board' });
  // A tablet that is not a member has no board card.
  assert.equal(await tablets[3].page.getByTestId('counting-board').count(), 0);

  // A secret motion, encrypted because the board has its key.
  const proj = await openProjector(op.page);
  await proj.waitForSelector('[data-testid="present-count"]');
  await op.page.getByTestId('vote-title').fill('Bầu ban chấp hành (bỏ phiếu kín)');
  await op.page.getByTestId('vote-secret').check();
  await op.page.getByTestId('vote-create').click();
  await op.page.locator('[data-testid^="open-"]').first().click();
  await op.page.locator('[data-testid^="close-"]').first().waitFor();
  await op.page.locator('[data-testid^="encrypted-"]').first().waitFor();

  const positions = ['for', 'for', 'against', 'for'];
  const receipts = [];
  let kept = null;
  for (const [i, tab] of tablets.entries()) {
    await tab.page.getByTestId('encrypted-note').waitFor();
    if (i === 3) {
      // The fourth tablet's ballot is lost on the way (its frame swallowed), then the tablet
      // reloads: it must send the very same encrypted ballot again, not a new one.
      await tab.page.evaluate(() => {
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (typeof data === 'string' && data.includes('cast_secret_ballot')) return;
          return send.call(this, data);
        };
      });
    }
    await tab.page.getByTestId(`choose-${positions[i]}`).click();
    await tab.page.getByTestId('confirm').click();
    if (i === 3) {
      await tab.page.locator('#ballot-sending').waitFor();
      kept = await tab.page.evaluate(() => JSON.parse(localStorage.getItem('congress.tablet.ballot.pending')));
      assert.ok(kept?.secret?.ballot, 'the encrypted ballot is kept until acknowledged');
      await tab.page.reload();
    }
    await tab.page.getByTestId('vote-recorded').waitFor();
    const receipt = await tab.page.getByTestId('receipt').innerText();
    const m = /[A-Z2-7]{5}-[A-Z2-7]{5}/.exec(receipt);
    assert.ok(m, `the receipt is the short tracker: ${receipt}`);
    receipts.push(m[0]);
  }
  assert.equal(new Set(receipts).size, 4);
  const trackers = await tablets[3].page.evaluate(() => JSON.parse(localStorage.getItem('congress.tablet.ballot.trackers')));
  assert.equal(Object.values(trackers)[0], kept.secret.tracker, 'the retry sent the same bytes');
  assert.equal(receipts[3], kept.secret.short);
  await screenshot(tablets[3].page, 'secret-2-tablet-tracker');
  await expectAccessible(tablets[3].page, 'tablet: encrypted ballot recorded');

  await op.page.locator('[data-testid^="close-"]').first().click();
  // The tally is recorded, then the board decrypts: 0 of 2 until the members act.
  await proj.waitForSelector('[data-testid="proj-decrypting"][data-t="2"]');
  await members[0].page.getByTestId('board-decrypt-button').click();
  await op.page.locator('[data-testid^="decrypting-"][data-k="1"]').waitFor();
  await proj.waitForSelector('[data-testid="proj-decrypting"][data-k="1"]');
  await screenshot(proj, 'secret-3-projector-decrypting');
  await members[1].page.getByTestId('board-decrypt-button').click();

  await proj.waitForSelector('[data-testid="proj-vote"][data-state="closed"] [data-testid="outcome"]');
  const bars = await proj.locator('[data-testid="bar-n"]').allInnerTexts();
  assert.deepEqual(bars, ['3', '1', '0']);
  await screenshot(proj, 'secret-4-projector-result');

  // The fourth delegate checks their ballot on their own tablet.
  const tab = tablets[3].page;
  await tab.getByTestId('result').waitFor();
  await tab.getByTestId('check-ballot').click();
  await tab.locator('[data-testid="check-status"][data-check="ok"]').waitFor({ timeout: 30_000 });
  await screenshot(tab, 'secret-5-check-my-ballot');
  await expectAccessible(tab, 'tablet: check my ballot');

  // A provincial committee's election: 60 candidates, keep at most 53. The tablet shows the
  // running count, will not confirm 54, and encrypts 53 with a progress bar.
  const candidates = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, label: `Ứng cử viên ${i + 1}` }));
  const election = await callApi(server, token, 'POST', '/api/votes', {
    client_id: crypto.randomUUID(),
    title: 'Bầu Ban Chấp hành (60 ứng cử viên, 53 ủy viên)',
    kind: { kind: 'election', seats: 53, candidates },
    secrecy: 'secret',
  });
  assert.ok(election.spec.encrypted);
  await callApi(server, token, 'POST', `/api/votes/${election.spec.id}/open`, { client_id: crypto.randomUUID() });
  await tab.locator(`[data-testid="ballot"][data-vote="${election.spec.id}"]`).waitFor();
  for (let i = 1; i <= 54; i++) await tab.getByTestId(`keep-${i}`).check();
  assert.match(await tab.getByTestId('kept-count').innerText(), /54/);
  assert.equal(await tab.getByTestId('confirm').count(), 0, 'an over-marked ballot cannot be confirmed');
  await tab.getByTestId('keep-54').uncheck();
  const t0 = Date.now();
  await tab.getByTestId('confirm').click();
  await tab.getByTestId('vote-recorded').waitFor({ timeout: 120_000 });
  const ms = Date.now() - t0;
  await screenshot(tab, 'secret-6-election-recorded');
  console.log(JSON.stringify({ ballot_encrypt_and_ack_ms_60_keep_53: ms }));

  for (const t of tablets) assert.deepEqual(t.page.errors, []);
  assert.deepEqual(op.page.errors, []);
});
