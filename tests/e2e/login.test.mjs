// (a) Operator login: a wrong password shows an error; the right one shows the congress and
// all delegates; search ignores diacritics.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  fixtureCongressName,
  fixtureDelegate,
  fixtureDelegateCount,
  newPage,
  screenshot,
  startServerAndBrowser,
  stopServerAndBrowsers,
} from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

test('operator login: wrong password is refused, right one shows the congress and 450 delegates', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/console/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');

  await page.getByTestId('login-user').fill(server.admin_user);
  await page.getByTestId('login-pass').fill(`${server.admin_password}-wrong`);
  await page.getByTestId('login-submit').click();
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.innerText(), /Sai tên đăng nhập hoặc mật khẩu/);
  await screenshot(page, 'a1-login-wrong-password');

  await page.getByTestId('login-pass').fill(server.admin_password);
  await page.getByTestId('login-submit').click();
  const name = fixtureCongressName();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="congress-name"]')?.textContent === n,
    name,
  );
  const total = fixtureDelegateCount();
  assert.equal(total, 450);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="delegate-row"]').length === n,
    total,
  );
  assert.match(await page.getByTestId('delegate-count').innerText(), /450\/450/);
  await page.getByTestId('conn').and(page.locator('[data-conn="online"]')).waitFor();

  // Diacritic-insensitive search: "dang ngoc hoa" finds "Đặng Ngọc Hòa".
  const d3 = fixtureDelegate('D0003');
  await page.getByTestId('delegate-search').fill('dang ngoc hoa');
  const visible = page.locator('[data-testid="delegate-row"]:visible');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delegate-row"]:not([hidden])').length < 450);
  const ids = await visible.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  assert.ok(ids.includes('D0003'), `D0003 in ${ids}`);
  assert.equal(await page.locator('[data-id="D0003"] th').first().innerText().then((s) => s.startsWith(d3.full_name)), true);
  await page.getByTestId('delegate-search').fill('');
  await screenshot(page, 'a2-console-logged-in');

  // A reload keeps the session (sessionStorage) and resumes the websocket.
  await page.reload();
  await page.getByTestId('present-count').waitFor();
  await page.getByTestId('conn').and(page.locator('[data-conn="online"]')).waitFor();

  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.httpErrors, ['401 POST /api/login']);
  await context.close();
});

test('language is chosen per device: English, then Arabic right-to-left, kept across reloads', async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('lang').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.getByTestId('login-submit').innerText(), 'Sign in');
  await page.getByTestId('login-user').fill(server.admin_user);
  await page.getByTestId('login-pass').fill(server.admin_password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('present-count').waitFor();
  assert.match(await page.getByTestId('delegate-count').innerText(), /Showing 450 of 450 delegates/);

  await page.getByTestId('lang').selectOption('ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await page.reload();
  await page.getByTestId('present-count').waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  // names stay exactly as written, whatever the interface language
  const d3 = fixtureDelegate('D0003');
  assert.ok((await page.locator('[data-id="D0003"] th').innerText()).startsWith(d3.full_name));
  await screenshot(page, 'a3-console-arabic-rtl');

  // the tablet app on the same device starts in the chosen language
  await page.goto(`${server.url}/tablet/`);
  await page.getByTestId('pair-code').waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.deepEqual(page.errors, []);
  await context.close();
});
