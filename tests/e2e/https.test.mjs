// HTTPS end to end: headless Chromium TRUSTS THE CONGRESS CA the way a hall machine would (the
// CA imported into the NSS database of a fresh $HOME with certutil; no
// --ignore-certificate-errors), pairs a tablet over https, and the tablet's websocket is wss://
// and live. The plain-HTTP port redirects to HTTPS. Without the CA the page fails with a
// certificate error.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureDelegate, launchBrowser, loginConsole, newPage, pairPage, screenshot, startServer } from './helpers.mjs';

let server;
let trusting;
let home;

/** A $HOME whose NSS database trusts `caPath` for websites (certutil from libnss3-tools). */
function homeTrusting(caPath) {
  const dir = mkdtempSync(join(tmpdir(), 'congress-home-'));
  const db = join(dir, '.pki/nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'congress', '-i', caPath]);
  const listed = execFileSync('certutil', ['-d', `sql:${db}`, '-L'], { encoding: 'utf8' });
  assert.match(listed, /congress\s+C,,/);
  return dir;
}

before(async () => {
  server = await startServer({ tls: true });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(server.ca_sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  home = homeTrusting(server.ca_path);
  trusting = await launchBrowser({ env: { ...process.env, HOME: home } });
});

after(async () => {
  await trusting?.close();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('a browser that trusts the congress CA pairs a tablet over https; its websocket is wss and live', async () => {
  const op = await newPage(trusting);
  const res = await op.page.goto(`${server.url}/console/`);
  const security = await res.securityDetails();
  assert.ok(security, 'the console is served over TLS');
  assert.match(security.issuer ?? "", /Congress CA/);
  assert.match(security.protocol ?? "", /TLS/);
  await loginConsole(op.page, server);

  // The console shows what a tablet must trust: the CA fingerprint and the download link.
  const fp = op.page.getByTestId('ca-fingerprint');
  await fp.waitFor();
  assert.equal((await fp.innerText()).trim(), server.ca_sha256);
  assert.equal(await op.page.getByTestId('ca-download').getAttribute('href'), '/ca.pem');
  await op.page.getByTestId('trust').scrollIntoViewIfNeeded();
  await screenshot(op.page, 'https-console-trust-panel');

  const who = fixtureDelegate('D0005');
  const code = await op.page.evaluate(async (delegate) => {
    const token = JSON.parse(sessionStorage.getItem('congress.operator')).token;
    const r = await fetch('/api/devices/pairing-codes', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'tablet', delegate_id: delegate, label: null, direction: null }),
    });
    return (await r.json()).code;
  }, who.id);
  assert.match(code, /^\d{8}$/);

  const tab = await newPage(trusting, { viewport: { width: 1024, height: 768 }, hasTouch: true });
  const sockets = [];
  tab.page.on('websocket', (ws) => sockets.push(ws));
  const failed = [];
  tab.page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  await pairPage(tab.page, server, '/tablet/', code, tab.page.getByTestId('greeting'));
  assert.equal(await tab.page.getByTestId('greeting').innerText(), `Xin chào, ${who.full_name}`);

  // The tablet's websocket is wss:// to the same host, and live: the console moves the current
  // agenda item and the tablet follows.
  await tab.page.waitForFunction(() => document.querySelector('.agenda li') !== null);
  assert.ok(sockets.length > 0, 'the tablet opened a websocket');
  for (const ws of sockets) assert.match(ws.url(), /^wss:\/\/127\.0\.0\.1:\d+\/ws\/tablet$/);
  const frames = [];
  sockets.at(-1).on('framereceived', (f) => frames.push(f.payload));
  const itemId = await tab.page.locator('.agenda li').nth(1).getAttribute('data-item');
  await op.page.evaluate(async (item) => {
    const token = JSON.parse(sessionStorage.getItem('congress.operator')).token;
    const r = await fetch('/api/agenda/current', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_id: crypto.randomUUID(), item_id: item }),
    });
    if (!r.ok) throw new Error(`PUT /api/agenda/current: ${r.status}`);
  }, itemId);
  await tab.page.waitForFunction(
    (id) => document.querySelector('.agenda li.current')?.getAttribute('data-item') === id,
    itemId,
  );
  assert.ok(frames.some((f) => String(f).includes('"push"')), 'the change arrived as a push over wss');
  await screenshot(tab.page, 'https-tablet-paired');

  assert.deepEqual(failed, [], 'no request failed (no certificate error)');
  assert.deepEqual(tab.page.errors, [], 'no script or CSP error on the tablet');
  assert.deepEqual(op.page.errors, [], 'no script or CSP error on the console');
  await tab.context.close();
  await op.context.close();
});

test('the plain-HTTP port redirects to https and serves the CA certificate', async () => {
  const { page, context } = await newPage(trusting);
  await page.goto(`${server.http_url}/tablet/`);
  assert.equal(new URL(page.url()).protocol, 'https:');
  assert.equal(new URL(page.url()).port, new URL(server.url).port);
  await page.getByTestId('pair-code').waitFor();
  const pem = await (await fetch(`${server.http_url}/ca.pem`)).text();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  assert.doesNotMatch(pem, /PRIVATE KEY/);
  await context.close();
});

test('without the congress CA the page fails with a certificate error', async () => {
  const bare = mkdtempSync(join(tmpdir(), 'congress-home-'));
  const browser = await launchBrowser({ env: { ...process.env, HOME: bare } });
  try {
    const { page } = await newPage(browser);
    await assert.rejects(page.goto(`${server.url}/tablet/`), /ERR_CERT_AUTHORITY_INVALID|ERR_CERT/);
  } finally {
    await browser.close();
    rmSync(bare, { recursive: true, force: true });
  }
});
