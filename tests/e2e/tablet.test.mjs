// (c) Tablet pairing: the console creates a code for a delegate, the tablet enters it and shows
// the delegate's name (diacritics intact) and the agenda; the console changes the current item
// and the tablet highlights it live. Also: the kiosk pairs and says it is ready.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  consoleToken,
  createCode,
  fixtureDelegate,
  loginConsole,
  newPage,
  openProjector,
  openTablet,
  pairPage,
  screenshot,
  setAttendanceApi,
  startServerAndBrowser,
  stopServerAndBrowsers,
} from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

/** A pairing code made on the console; its 8 digits. */
async function eightDigitCode(consolePage, kind, delegateId = null) {
  const code = await createCode(consolePage, kind, delegateId);
  assert.match(code, /^\d{8}$/);
  return code;
}

async function currentItem(page) {
  return page.locator('.agenda li.current').getAttribute('data-item');
}

test('tablet pairs with a console code, greets its delegate, follows the current agenda item live', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const who = fixtureDelegate('D0003');
  assert.match(who.full_name, /[^\x00-\x7f]/); // a name with diacritics

  const code = await eightDigitCode(op.page, 'tablet', 'D0003');
  await screenshot(op.page, 'c1-console-pairing-code');

  const tab = await newPage(browser, { viewport: { width: 1024, height: 768 }, hasTouch: true });
  await tab.page.goto(`${server.url}/tablet/`);
  const input = tab.page.getByTestId('pair-code');
  await input.waitFor();
  assert.equal(await input.getAttribute('inputmode'), 'numeric');

  // a wrong code is refused with a clear message
  await input.fill(code === '00000000' ? '11111111' : '00000000');
  await tab.page.getByTestId('pair-submit').click();
  await tab.page.getByTestId('error').waitFor();

  await input.fill(`${code.slice(0, 4)} ${code.slice(4)}`);
  await tab.page.getByTestId('pair-submit').click();
  const greeting = tab.page.getByTestId('greeting');
  await greeting.waitFor();
  assert.equal(await greeting.innerText(), `Xin chào, ${who.full_name}`);
  assert.equal(await tab.page.getByTestId('seat').innerText(), who.seat);
  assert.equal(await tab.page.getByTestId('group').innerText(), who.group);
  const items = tab.page.locator('[data-testid="agenda"] li');
  assert.equal(await items.count(), 8);
  assert.match(await items.nth(0).innerText(), /Khai mạc Đại hội/);

  // the console's device list shows the new tablet (device push)
  await op.page.waitForFunction(
    (name) => document.querySelector('[data-testid="devices"]')?.textContent?.includes(name),
    who.full_name,
  );

  // the code is single use
  const again = await fetch(`${server.url}/api/devices/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, recipient: null }),
  });
  assert.equal(again.status, 409);

  // current item changes on the console → highlighted live on the tablet
  await op.page.getByTestId('set-current-A3').click();
  await tab.page.waitForSelector('.agenda li.current[data-item="A3"]');
  assert.equal(await currentItem(tab.page), 'A3');
  await op.page.getByTestId('set-current-A4').click();
  await tab.page.waitForSelector('.agenda li.current[data-item="A4"]');
  assert.equal(await tab.page.locator('.agenda li.current').count(), 1);

  // someone else's check-in only moves the hall count
  await setAttendanceApi(server, await consoleToken(op.page), 'D0001', 'present');
  await tab.page.waitForFunction(() => /\b1\/450\b/.test(document.querySelector('[data-testid="hall-count"]')?.textContent ?? ''));
  assert.equal(await tab.page.getByTestId('my-status').getAttribute('data-status'), 'absent');

  // the delegate's own check-in shows on the tablet
  await op.page.getByTestId('delegate-search').fill('D0003');
  await op.page.locator('[data-id="D0003"]').getByTestId('check-in').click();
  await op.page.getByTestId('dialog-confirm').click();
  await tab.page.waitForSelector('[data-testid="my-status"][data-status="present"]');
  await screenshot(tab.page, 'c2-tablet-paired');

  // the tablet stays paired across a reload and resumes from its last seq (no new snapshot)
  const frames = [];
  tab.page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push({ dir: 'out', msg: JSON.parse(f.payload) }));
    ws.on('framereceived', (f) => frames.push({ dir: 'in', msg: JSON.parse(f.payload) }));
  });
  const savedSeq = await tab.page.evaluate(() => JSON.parse(localStorage.getItem('congress.tablet.ws') ?? 'null')?.seq);
  assert.equal(typeof savedSeq, 'number');
  await tab.page.reload();
  await tab.page.getByTestId('greeting').waitFor();
  await tab.page.waitForSelector('.agenda li.current[data-item="A4"]');
  await tab.page.getByTestId('conn').and(tab.page.locator('[data-conn="online"]')).waitFor();
  await op.page.getByTestId('set-current-A5').click();
  await tab.page.waitForSelector('.agenda li.current[data-item="A5"]');
  const hello = frames.find((f) => f.dir === 'out' && f.msg.type === 'hello');
  assert.equal(hello?.msg.resume_from, savedSeq);
  assert.ok(frames.some((f) => f.dir === 'in' && f.msg.type === 'resumed'), JSON.stringify(frames.map((f) => f.msg.type)));
  assert.ok(!frames.some((f) => f.dir === 'in' && f.msg.type === 'snapshot'));

  assert.deepEqual(op.page.errors, []);
  assert.deepEqual(tab.page.errors, []);
  assert.deepEqual(op.page.httpErrors, []);
  // the one expected HTTP failure is the refused wrong code
  assert.equal(tab.page.httpErrors.length, 1, tab.page.httpErrors.join('\n'));
  assert.match(tab.page.httpErrors[0], /^4\d\d POST \/api\/devices\/pair$/);
  await tab.context.close();
  await op.context.close();
});

test('kiosk pairs and shows that it is ready; projector follows the agenda', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const code = await eightDigitCode(op.page, 'kiosk');

  const kiosk = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await pairPage(kiosk.page, server, '/kiosk/', code);
  await kiosk.page.waitForSelector('[data-testid="kiosk"][data-conn="online"]');
  assert.equal(await kiosk.page.getByTestId('kiosk-ready').innerText(), 'Sẵn sàng');
  await screenshot(kiosk.page, 'c3-kiosk-ready');

  // projector opened from the console uses the operator session
  const proj = await openProjector(op.page);
  await proj.waitForSelector('[data-testid="present-count"]');
  await op.page.getByTestId('set-current-A2').click();
  await proj.waitForFunction(() => document.querySelector('[data-testid="current-item"]')?.textContent === 'Báo cáo thẩm tra tư cách đại biểu');
  await screenshot(proj, 'c4-projector');

  await kiosk.context.close();
  await op.context.close();
});

test('a projector pairs with its own code; an unpaired tablet goes back to the pairing screen', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);

  // projector without an operator session: pairs once, then shows the hall view
  const pcode = await eightDigitCode(op.page, 'projector');
  const proj = await newPage(browser);
  await pairPage(proj.page, server, '/console/projector.html', pcode);
  await proj.page.waitForSelector('[data-testid="present-count"]');
  await op.page.getByTestId('set-current-A7').click();
  await proj.page.waitForFunction(() => document.querySelector('[data-testid="current-item"]')?.textContent === 'Thông qua Nghị quyết Đại hội');

  // a tablet paired, then unpaired from the console
  const who = fixtureDelegate('D0010');
  const tcode = await eightDigitCode(op.page, 'tablet', 'D0010');
  const tab = await openTablet(browser, server, tcode, { viewport: { width: 1024, height: 768 } });

  const item = op.page.locator('[data-testid="devices"] li', { hasText: who.full_name });
  await item.getByRole('button').click();
  await op.page.getByTestId('dialog-confirm').click();
  await item.waitFor({ state: 'detached' });
  // the server re-checks live tokens periodically; the tablet must end up on the pairing screen
  await tab.page.getByTestId('pair-code').waitFor({ timeout: 30_000 });
  assert.equal(await tab.page.evaluate(() => localStorage.getItem('congress.tablet.device')), null);
  await screenshot(tab.page, 'c5-tablet-unpaired');

  await tab.context.close();
  await proj.context.close();
  await op.context.close();
});
