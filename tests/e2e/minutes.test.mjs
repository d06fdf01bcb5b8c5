// (f) Minutes: a small session (300 check-ins, the first agenda item, an open vote with two
// tablets' ballots sent over their websockets), then the operator downloads the minutes PDF
// from the console's "Minutes" panel. Poppler checks it: page count, the journal head hash and
// a delegate's name with diacritics in the text, and page 1 rendered at 60 dpi is not blank
// (tests/e2e/artifacts/minutes-page-N.png).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS,
  callApi,
  checkInAll,
  consoleToken,
  delegateIds,
  fixtureDelegate,
  loginConsole,
  newPage,
  pairTabletApi,
  screenshot,
  startServerAndBrowser,
  stopServerAndBrowsers,
} from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

/** Casts a ballot from a browser page over the tablet websocket; resolves with the ack. */
async function castInBrowser(page, tabletToken, voteId, position) {
  return page.evaluate(
    ({ url, token, voteId, position }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        const timer = setTimeout(() => reject(new Error('no ballot_ack')), 10_000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token, resume_from: null, protocol: 1 }));
        ws.onmessage = (m) => {
          const msg = JSON.parse(m.data);
          if (msg.type === 'welcome') {
            ws.send(JSON.stringify({ type: 'cast_ballot', client_id: crypto.randomUUID(), vote_id: voteId, choice: { kind: 'motion', position } }));
          } else if (msg.type === 'ballot_ack' || msg.type === 'ballot_refused' || (msg.type === 'error' && msg.fatal)) {
            clearTimeout(timer);
            ws.close();
            if (msg.type === 'ballot_ack') resolve(msg.ack);
            else reject(new Error(JSON.stringify(msg)));
          }
        };
      }),
    { url: `${server.url.replace('http', 'ws')}/ws/tablet`, token: tabletToken, voteId, position },
  );
}

test('the minutes PDF downloaded from the console is an official record with the head hash', async () => {
  const op = await newPage(browser, { acceptDownloads: true });
  await loginConsole(op.page, server);
  const token = await consoleToken(op.page);

  await checkInAll(server, token, delegateIds(300), { batch: 20, reason: 'Kiểm tra thẻ đại biểu' });
  await callApi(server, token, 'PUT', '/api/agenda/current', { client_id: crypto.randomUUID(), item_id: 'A1' });

  const voters = ['D0001', 'D0002'];
  const tabletTokens = [];
  for (const id of voters) tabletTokens.push(await pairTabletApi(server, token, id));
  const vote = await callApi(server, token, 'POST', '/api/votes', {
    client_id: crypto.randomUUID(),
    title: 'Thông qua chương trình Đại hội',
    kind: { kind: 'motion' },
    secrecy: 'open',
  });
  const voteId = vote.spec.id;
  await callApi(server, token, 'POST', `/api/votes/${voteId}/open`, { client_id: crypto.randomUUID() });
  for (const [i, t] of tabletTokens.entries()) {
    const ack = await castInBrowser(op.page, t, voteId, i === 0 ? 'for' : 'against');
    assert.ok(ack.receipt, 'receipt');
  }
  await callApi(server, token, 'POST', `/api/votes/${voteId}/close`, { client_id: crypto.randomUUID() });
  const head = await callApi(server, token, 'GET', '/api/journal/head');

  // The console's Minutes panel: Vietnamese, PDF.
  const panel = op.page.getByTestId('minutes');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(op.page, 'minutes-console');
  const [download] = await Promise.all([op.page.waitForEvent('download', { timeout: 90_000 }), op.page.getByTestId('minutes-pdf').click()]);
  assert.equal(download.suggestedFilename(), 'minutes-vi.pdf');
  mkdirSync(ARTIFACTS, { recursive: true });
  const pdf = join(ARTIFACTS, 'minutes.pdf');
  await download.saveAs(pdf);
  await op.page.getByTestId('minutes-status').getByText('minutes-vi.pdf').waitFor();
  assert.equal(readFileSync(pdf).subarray(0, 4).toString(), '%PDF');

  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  assert.ok(pages >= 2 && pages <= 8, `page count ${pages}`);

  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.ok(text.includes(head.hash), 'head hash in the PDF');
  assert.ok(text.includes('BIÊN BẢN ĐẠI HỘI'), 'title');
  assert.ok(text.includes('congress verify'), 'how to check');
  const name = fixtureDelegate('D0001').full_name;
  assert.match(name, /[^\x00-\x7f]/, 'a name with diacritics');
  assert.ok(text.includes(name), `delegate name ${name} in the PDF (roll call)`);
  assert.ok(text.includes('Thông qua chương trình Đại hội'));

  // Render every page at 60 dpi and check page 1 is not blank.
  for (const f of readdirSync(ARTIFACTS)) if (f.startsWith('minutes-page')) execFileSync('rm', ['-f', join(ARTIFACTS, f)]);
  execFileSync('pdftoppm', ['-r', '60', '-png', pdf, join(ARTIFACTS, 'minutes-page')]);
  const pngs = readdirSync(ARTIFACTS).filter((f) => f.startsWith('minutes-page') && f.endsWith('.png')).sort();
  assert.equal(pngs.length, pages);
  const ppm = execFileSync('pdftoppm', ['-r', '20', '-gray', '-f', '1', '-l', '1', pdf], { maxBuffer: 1 << 24 });
  // P5 header: "P5\nW H\n255\n", then one byte per pixel.
  const headerEnd = ppm.indexOf('\n255\n') + 5;
  const pixels = ppm.subarray(headerEnd);
  const dark = pixels.filter((v) => v < 128).length;
  const share = dark / pixels.length;
  writeFileSync(join(ARTIFACTS, 'minutes-page1-dark-share.txt'), `${share}\n`);
  assert.ok(share > 0.01 && share < 0.5, `page 1 has ink (${(share * 100).toFixed(2)}% dark pixels)`);

  // CSV from the same panel, English.
  await op.page.getByTestId('minutes-lang').selectOption('en');
  const [csv] = await Promise.all([op.page.waitForEvent('download'), op.page.getByTestId('minutes-csv').click()]);
  assert.equal(csv.suggestedFilename(), 'minutes-en.csv');
  const csvPath = join(ARTIFACTS, 'minutes-en.csv');
  await csv.saveAs(csvPath);
  const body = readFileSync(csvPath, 'utf8');
  assert.ok(body.startsWith('\ufeffsection,ref,time,label,value,detail'));
  assert.ok(body.includes(head.hash));

  // The audit panel lists the vote.
  await op.page.getByTestId('audit-refresh').click();
  await op.page.getByTestId('audit-table').getByText('Thông qua chương trình Đại hội').first().waitFor();
  assert.deepEqual(op.page.errors, []);
});
