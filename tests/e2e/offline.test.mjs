// Nothing goes wrong silently: when the server goes away the tablet says so at once, and when it
// comes back (same data, same address) the tablet reconnects on its own and is live again.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { callApi, fixtureDelegate, loginApi, openTablet, pairingCodeApi, screenshot, startServer, startServerAndBrowser, stopServerAndBrowsers } from './helpers.mjs';

let server;
let browser;

before(async () => ({ server, browser } = await startServerAndBrowser()));
after(() => stopServerAndBrowsers(server, browser));

test('tablet shows an offline banner while the server is down and recovers by itself', async () => {
  const token = await loginApi(server);
  const code = await pairingCodeApi(server, token, 'tablet', 'D0005');

  const tab = await openTablet(browser, server, code, { viewport: { width: 1024, height: 768 } });
  assert.match(await tab.page.getByTestId('greeting').innerText(), new RegExp(fixtureDelegate('D0005').full_name));
  await tab.page.waitForSelector('[data-testid="conn"][data-conn="online"]');
  assert.equal(await tab.page.getByTestId('offline-banner').count(), 0);

  // server goes away: the banner says so, the last known state stays on screen
  const { url, data } = server;
  await server.stop({ keepData: true });
  server = null;
  await tab.page.getByTestId('offline-banner').waitFor();
  await tab.page.getByTestId('greeting').waitFor();
  await screenshot(tab.page, 'd1-tablet-offline');

  // server comes back on the same address with the same data: reconnect without a reload
  server = await startServer({ data, listen: new URL(url).host });
  assert.equal(server.url, url);
  await tab.page.waitForSelector('[data-testid="conn"][data-conn="online"]', { timeout: 20_000 });
  assert.equal(await tab.page.getByTestId('offline-banner').count(), 0);

  // and it is live: a change made after the restart arrives
  const token2 = await loginApi(server);
  await callApi(server, token2, 'PUT', '/api/agenda/current', { client_id: crypto.randomUUID(), item_id: 'A6' });
  await tab.page.waitForSelector('.agenda li.current[data-item="A6"]');
  // Chromium logs each refused reconnect attempt while the server was down; nothing else.
  assert.deepEqual(tab.page.errors.filter((e) => !/^WebSocket connection to .* failed/.test(e)), []);
  await tab.context.close();
});
