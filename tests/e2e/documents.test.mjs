// (d) Documents: the console uploads a PDF for all delegates; the paired tablet lists it, downloads
// the ciphertext, decrypts it in memory and renders it; the text is searchable without
// diacritics; a new version uploaded in the console raises the badge on the tablet.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCode, loginConsole, newPage, openTablet, pdf, screenshot, startServerAndBrowser, stopServerAndBrowsers } from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

test('upload in the console, read and search on the tablet, badge on a new version', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const code = await createCode(op.page, 'tablet', 'D0003');
  assert.match(code, /^\d{8}$/);

  const tab = await openTablet(browser, server, code, { viewport: { width: 1024, height: 900 }, hasTouch: true });

  // Upload in the console.
  await op.page.getByTestId('doc-title').fill('Nghị quyết Đại hội');
  await op.page.getByTestId('doc-file').setInputFiles({
    name: 'nghi-quyet.pdf',
    mimeType: 'application/pdf',
    buffer: pdf(['Du thao nghi quyet ve chuyen doi so', 'Trang hai']),
  });
  await op.page.waitForFunction(() => document.querySelector('[data-testid="doc-admin-list"]')?.textContent?.includes('Nghị quyết Đại hội'));
  await screenshot(op.page, 'd1-console-document');

  // The tablet lists it, and can open it once its copy is encrypted to it.
  const doc = tab.page.locator('[data-testid="doc"]', { hasText: 'Nghị quyết Đại hội' });
  await doc.waitFor({ timeout: 20000 });
  await tab.page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="doc-status"]')].some((e) => /Đã lưu/.test(e.textContent ?? '')),
    null,
    { timeout: 20000 },
  );
  await doc.getByTestId('doc-open').click();
  await tab.page.getByTestId('reader').waitFor();
  await tab.page.waitForFunction(() => document.querySelector('[data-testid="page-no"]')?.textContent?.includes('1/2'));
  // The canvas has been painted (not all white).
  await tab.page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="pdf-canvas"]');
    if (!c || c.width === 0) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return true;
    return false;
  });
  await screenshot(tab.page, 'd2-tablet-reader');

  // Plaintext never reaches storage: the cache holds age ciphertext only.
  const cached = await tab.page.evaluate(async () => {
    const cache = await caches.open('congress-docs-v1');
    const keys = await cache.keys();
    const texts = await Promise.all(keys.map(async (k) => new TextDecoder('latin1').decode((await (await cache.match(k)).arrayBuffer()).slice(0, 40))));
    return texts;
  });
  assert.ok(cached.length >= 1);
  for (const head of cached) assert.match(head, /^age-encryption\.org\/v1/);

  // Search without diacritics.
  await tab.page.getByTestId('doc-search').fill('chuyen doi');
  await tab.page.getByTestId('doc-search').press('Enter');
  await tab.page.waitForFunction(() => document.querySelector('[data-testid="doc-hits"]')?.textContent?.includes('Nghị quyết Đại hội'));

  // A new version raises the badge.
  await op.page.getByTestId('doc-new-version').first().setInputFiles({
    name: 'nghi-quyet-v2.pdf',
    mimeType: 'application/pdf',
    buffer: pdf(['Du thao nghi quyet ve chuyen doi so (sua doi)', 'Trang hai', 'Trang ba']),
  });
  await tab.page.waitForSelector('[data-testid="doc-badge"][data-version="2"]', { timeout: 20000 });
  await screenshot(tab.page, 'd3-tablet-badge');
});
