// (d) Documents: the console uploads a PDF for all delegates; the paired tablet lists it, downloads
// the ciphertext, decrypts it in memory and renders it; the text is searchable without
// diacritics; a new version uploaded in the console raises the badge on the tablet.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, loginConsole, newPage, screenshot, startServer } from './helpers.mjs';

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

/** A small valid PDF with one line of ASCII text per page. */
function pdf(pages) {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const kids = pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ');
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((text, i) => {
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`);
    const body = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`;
    objs.push(`<< /Length ${body.length} >>\nstream\n${body}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

async function createCode(page, delegateId) {
  await page.getByTestId('pair-kind').selectOption('tablet');
  await page.getByTestId('pair-delegate').fill(delegateId);
  await page.getByTestId('pair-create').click();
  await page.getByTestId('pairing-code').waitFor();
  const code = (await page.getByTestId('pairing-code').innerText()).replace(/\D/g, '');
  assert.match(code, /^\d{8}$/);
  return code;
}

test('upload in the console, read and search on the tablet, badge on a new version', async () => {
  const op = await newPage(browser);
  await loginConsole(op.page, server);
  const code = await createCode(op.page, 'D0003');

  const tab = await newPage(browser, { viewport: { width: 1024, height: 900 }, hasTouch: true });
  await tab.page.goto(`${server.url}/tablet/`);
  await tab.page.getByTestId('pair-code').fill(code);
  await tab.page.getByTestId('pair-submit').click();
  await tab.page.getByTestId('greeting').waitFor();

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
