// (s) A whole demo congress session, end to end, once in each language (vi, en, ar), every
// device switched to the language with its own picker: console login; quorum (bulk through the
// API, one delegate checked in by hand); the first agenda item started; two tablets ask to
// speak, the console gives each the floor in turn, the projector shows the speaker scene; a
// document uploaded on the console is opened on a tablet; a vote created, opened, cast from the
// tablets, closed, the result on the projector; a notice sent and read; the minutes PDF
// downloaded, its text holding the speakers and the vote, page 1 rendered with `pdftoppm -r 50`.
// Screenshots: tests/e2e/artifacts/session-<lang>-*.png (a person looks at them).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS,
  callApi,
  checkInAll,
  consoleToken,
  createCode,
  delegateIds,
  fixtureCongressName,
  fixtureDelegate,
  launchBrowser,
  newPage,
  openProjector,
  pdf,
  screenshot,
  startServer,
} from './helpers.mjs';

let browser;
/** The document's ink on the tablet in the first language run, to compare the others with. */
let firstInk = null;

before(async () => {
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

/** A few visible strings per language (from web-common/src/locales), to see the UI is translated. */
const TEXT = {
  vi: { signIn: 'Đăng nhập', openProjector: 'Mở màn chiếu', agenda: 'Điều hành chương trình', request: 'Đăng ký phát biểu', floor: 'Mời đồng chí phát biểu', ack: 'Tôi đã đọc', minutes: 'Biên bản Đại hội', language: 'Ngôn ngữ', saved: 'Đã lưu để đọc khi mất mạng' },
  en: { signIn: 'Sign in', openProjector: 'Open projector', agenda: 'Agenda control', request: 'Request to speak', floor: 'You have the floor', ack: 'I have read this', minutes: 'Minutes of the congress', language: 'Language', saved: 'Saved for offline reading' },
  ar: { signIn: 'تسجيل الدخول', openProjector: 'فتح شاشة العرض', agenda: 'إدارة جدول الأعمال', request: 'اطلب الكلمة', floor: 'الكلمة لك', ack: 'قرأتُ هذا الإشعار', minutes: 'محضر المؤتمر', language: 'اللغة', saved: 'محفوظة للقراءة دون اتصال' },
};
/** Per language: the vote's and the document's titles, and the notice (typed by the operator). */
const CONTENT = {
  vi: { vote: 'Thông qua chương trình Đại hội', doc: 'Dự thảo Nghị quyết', notice: 'Giải lao 15 phút, mời đại biểu dùng trà' },
  en: { vote: 'Adopt the congress agenda', doc: 'Draft resolution', notice: 'Fifteen-minute break, tea in the lobby' },
  ar: { vote: 'اعتماد جدول أعمال المؤتمر', doc: 'مشروع القرار', notice: 'استراحة لمدة خمس عشرة دقيقة' },
};

/** Switches a page's language with its own picker and checks `lang`/`dir` on <html>. */
async function pickLanguage(page, lang) {
  const picker = page.getByTestId('lang');
  await picker.selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  assert.equal(await page.evaluate(() => document.documentElement.dir), lang === 'ar' ? 'rtl' : 'ltr');
  assert.equal(await page.getByRole('combobox', { name: TEXT[lang].language }).count() > 0, true, 'the picker is labelled in the language');
}

/** Fails when a page shows a raw message key (e.g. `meeting.foo`) instead of a translation. */
async function expectNoRawKeys(page, where) {
  const raw = await page.evaluate(() => {
    const text = document.body.innerText;
    return [...text.matchAll(/\b(?:common|conn|error|console|login|meeting|notices|groups|minutes|audit|quorum|vote|votes|tablet|projector|device|docs|agenda|opinions|a11y)\.[a-z_]+(?:\.[a-z_]+)*\b/g)].map((m) => m[0]);
  });
  assert.deepEqual(raw, [], `raw message keys on ${where}`);
}

/** Vietnamese letters with diacritics that no English or Arabic UI string has (names aside). */
async function expectNoVietnamese(page, where, allowed) {
  const bad = await page.evaluate((allowed) => {
    let text = document.body.innerText;
    for (const a of allowed) text = text.split(a).join(' ');
    return [...new Set(text.split(/\n/).filter((l) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(l)))].slice(0, 5);
  }, allowed);
  assert.deepEqual(bad, [], `Vietnamese text on the ${where}`);
}

/** SESSION_LANGS=vi,ar runs some of the languages only (in that order). */
const LANGS = (process.env.SESSION_LANGS ?? 'vi,en,ar').split(',');

for (const lang of LANGS) {
  test(`a whole session in ${lang}`, { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const T = TEXT[lang];
    const C = CONTENT[lang];
    const shot = (page, name) => screenshot(page, `session-${lang}-${name}`);
    const server = await startServer();
    const contexts = [];
    try {
      // --- console: language picker on the login page, then sign in
      const op = await newPage(browser, { viewport: { width: 1366, height: 900 }, acceptDownloads: true });
      contexts.push(op.context);
      const page = op.page;
      await page.goto(`${server.url}/console/`);
      await pickLanguage(page, lang);
      await page.getByRole('button', { name: T.signIn, exact: true }).waitFor();
      await page.getByTestId('login-user').fill(server.admin_user);
      await page.getByTestId('login-pass').fill(server.admin_password);
      await page.getByTestId('login-submit').click();
      await page.locator('[data-testid="delegate-row"]').first().waitFor();
      await page.getByRole('heading', { name: T.agenda }).waitFor();
      const token = await consoleToken(page);

      // --- quorum: 299 through the API, D0001 by hand (search, row button, reason dialog)
      await checkInAll(server, token, delegateIds(299, 2), { batch: 50 });
      await page.waitForFunction(() => document.querySelector('[data-testid="present-count"]')?.getAttribute('data-value') === '299');
      await page.getByTestId('delegate-search').fill('D0001');
      await page.locator('[data-testid="delegate-row"][data-id="D0001"]').getByTestId('check-in').click();
      const dialog = page.getByTestId('dialog');
      await dialog.waitFor();
      await dialog.getByTestId('dialog-confirm').click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.querySelector('[data-testid="present-count"]')?.getAttribute('data-value') === '300');
      await page.waitForFunction(() => document.querySelector('[data-testid="quorum-reached"]')?.getAttribute('data-reached') === 'true');
      await page.getByTestId('delegate-search').fill('');

      // --- two tablets, each switched to the language on its pairing screen
      const tablets = [];
      for (const id of ['D0001', 'D0002']) {
        const code = await createCode(page, 'tablet', id);
        const tab = await newPage(browser, { viewport: { width: 1280, height: 800 }, hasTouch: true });
        contexts.push(tab.context);
        await tab.page.goto(`${server.url}/tablet/`);
        await pickLanguage(tab.page, lang);
        await tab.page.getByTestId('pair-code').fill(code);
        await tab.page.getByTestId('pair-submit').click();
        await tab.page.getByTestId('greeting').waitFor();
        // mirrored in Arabic: the picker sits at the inline end of the header (left in ar)
        const box = await tab.page.getByTestId('lang').boundingBox();
        assert.equal(box.x + box.width / 2 < 640, lang === 'ar', `language picker at x=${box.x}`);
        tablets.push(tab.page);
      }
      const [t1, t2] = tablets;
      const [n1, n2] = ['D0001', 'D0002'].map((id) => fixtureDelegate(id).full_name);

      // --- the projector, opened from the console, in the language too
      const proj = await openProjector(page, { name: T.openProjector, exact: true });
      await proj.setViewportSize({ width: 1280, height: 720 });
      await proj.waitForSelector('[data-testid="present-count"]');
      await pickLanguage(proj, lang);

      // --- the first item; two requests to speak; the floor to each in turn
      await page.getByTestId('set-current-A1').click();
      await page.waitForFunction(() => document.querySelector('[data-item="A1"]')?.getAttribute('data-status') === 'in_progress');
      await t1.getByRole('button', { name: T.request, exact: true }).click();
      await t1.waitForSelector('[data-testid="my-request"][data-place="1"]');
      await t2.getByTestId('request-speak').click();
      await t2.waitForSelector('[data-testid="my-request"][data-place="2"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="speaker-queue"] li').length === 2);
      await page.getByTestId('scene-speaker').click();
      await proj.waitForSelector('[data-testid="proj-speaker"]');
      await page.locator('[data-testid="speaker-queue"] li[data-delegate="D0001"] [data-testid^="grant-"]').click();
      await proj.waitForFunction((name) => document.querySelector('[data-testid="proj-speaker-name"]')?.textContent === name, n1);
      assert.equal(await proj.getByTestId('proj-next').innerText(), n2);
      await t1.getByTestId('have-floor').getByText(T.floor).waitFor();
      // the tablet's countdown never shows more than the time allowed
      const cd = t1.getByTestId('floor-countdown');
      assert.ok(Number(await cd.getAttribute('data-left')) <= Number(await cd.getAttribute('data-limit')), await cd.innerText());
      await shot(t1, 'tablet-floor');
      await shot(proj, 'projector-speaker');
      await page.getByTestId('speakers').scrollIntoViewIfNeeded();
      await shot(page, 'console-speakers');
      await expectNoRawKeys(t1, 'tablet');
      await expectNoRawKeys(proj, 'projector');
      await page.getByTestId('speaker-stop').click();
      await page.locator('[data-testid="speaker-queue"] li[data-delegate="D0002"] [data-testid^="grant-"]').click();
      await proj.waitForFunction((name) => document.querySelector('[data-testid="proj-speaker-name"]')?.textContent === name, n2);
      await t2.getByTestId('have-floor').waitFor();
      await page.getByTestId('speaker-stop').click();
      await t2.waitForFunction(() => !document.querySelector('[data-testid="have-floor"]'));

      // --- a document uploaded on the console, opened on D0001's tablet
      await page.getByTestId('doc-title').fill(C.doc);
      await page.getByTestId('doc-file').setInputFiles({ name: 'resolution.pdf', mimeType: 'application/pdf', buffer: pdf(['Draft resolution', 'Page two']) });
      await page.waitForFunction((title) => document.querySelector('[data-testid="doc-admin-list"]')?.textContent?.includes(title), C.doc);
      const doc = t1.locator('[data-testid="doc"]', { hasText: C.doc });
      // once its copy encrypted to this tablet is downloaded ("saved for offline reading")
      await doc.getByTestId('doc-status').getByText(T.saved, { exact: true }).waitFor({ timeout: 30_000 });
      await doc.getByTestId('doc-open').click();
      await t1.getByTestId('reader').waitFor();
      await t1.waitForFunction(() => {
        const c = document.querySelector('[data-testid="pdf-canvas"]');
        if (!c || c.width === 0) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return true;
        return false;
      });
      // the page image is the same in every language (pdf.js draws glyph by glyph: a canvas that
      // inherits right-to-left draws "Draft" as "D:p.ft"): same ink, same width as in the first run
      const ink = await t1.evaluate(() => {
        const c = document.querySelector('[data-testid="pdf-canvas"]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        let x0 = c.width;
        let x1 = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] >= 128) continue;
          n += 1;
          const x = (i / 4) % c.width;
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
        }
        return { n, x0, x1, w: c.width };
      });
      firstInk ??= ink;
      assert.ok(Math.abs(ink.x0 - firstInk.x0) <= 2 && Math.abs(ink.x1 - firstInk.x1) <= 2 && ink.w === firstInk.w, `page image ${JSON.stringify(ink)} vs ${JSON.stringify(firstInk)}`);
      await shot(t1, 'tablet-document');
      await t1.locator('#reader-close').click();
      await t1.getByTestId('reader').waitFor({ state: 'detached' });

      // --- a vote: created and opened on the console, cast on both tablets, closed, result shown
      await page.getByTestId('vote-title').fill(C.vote);
      await page.getByTestId('vote-create').click();
      await page.locator('[data-testid^="open-"]').first().click();
      await page.locator('[data-testid^="close-"]').first().waitFor();
      for (const [i, tab] of tablets.entries()) {
        await tab.getByTestId(i === 0 ? 'choose-for' : 'choose-against').click();
        await tab.getByTestId('confirm').click();
        await tab.getByTestId('vote-recorded').waitFor();
        assert.match(await tab.getByTestId('receipt').innerText(), /[0-9A-F]{10}/);
      }
      await shot(t2, 'tablet-vote-recorded');
      await page.locator('[data-testid^="close-"]').first().click();
      await page.getByTestId('scene-result').click();
      await proj.waitForSelector('[data-testid="proj-result"] [data-testid="outcome"]');
      assert.deepEqual(await proj.locator('[data-testid="proj-result"] [data-testid="bar-n"]').allInnerTexts(), ['1', '1', '0']);
      await shot(proj, 'projector-result');
      await expectNoRawKeys(proj, 'projector result');

      // --- a notice to everyone, read on D0002's tablet, counted on the console
      const noticePanel = page.getByTestId('notices-panel');
      await noticePanel.getByTestId('notice-text').fill(C.notice);
      await page.getByTestId('notice-send').click();
      await page.getByTestId('notice-sent').waitFor();
      await t2.getByTestId('notice-dialog').waitFor();
      assert.equal(await t2.getByTestId('notice-dialog-text').innerText(), C.notice);
      await shot(t2, 'tablet-notice');
      await t2.getByRole('button', { name: T.ack, exact: true }).click();
      await t2.waitForFunction(() => !document.querySelector('[data-testid="notice-dialog"]')?.open);
      await page.waitForFunction(() => document.querySelector('[data-testid="notice-status"]')?.getAttribute('data-read') === '1');
      await expectNoRawKeys(t2, 'tablet after the notice');

      // --- the minutes PDF in the language, from the console's Minutes panel
      const minutes = page.getByTestId('minutes');
      await minutes.scrollIntoViewIfNeeded();
      await minutes.getByRole('heading', { name: T.minutes }).waitFor();
      await page.getByTestId('minutes-lang').selectOption(lang);
      await shot(page, 'console-minutes');
      await expectNoRawKeys(page, 'console');
      if (lang !== 'vi') {
        // data, not UI text: the congress's name, the agenda's titles, the delegates' names,
        // units and groups, the language picker's own names, and what the operator typed
        const agenda = await callApi(server, token, 'GET', '/api/agenda');
        const allowed = [fixtureCongressName(), ...agenda.items.map((i) => i.title), ...['D0001', 'D0002'].flatMap((id) => Object.values(fixtureDelegate(id)))];
        allowed.push('Tiếng Việt', C.doc, C.vote, C.notice);
        allowed.sort((a, b) => b.length - a.length);
        for (const [p, where] of [[t1, 'tablet'], [proj, 'projector']]) await expectNoVietnamese(p, where, allowed);
      }
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.getByTestId('minutes-pdf').click()]);
      assert.equal(download.suggestedFilename(), `minutes-${lang}.pdf`);
      const pdfPath = join(ARTIFACTS, `session-${lang}-minutes.pdf`);
      await download.saveAs(pdfPath);
      assert.equal(readFileSync(pdfPath).subarray(0, 4).toString(), '%PDF');
      const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
      // pdftotext writes right-to-left runs in visual order: compare without spaces for Arabic
      const flat = (s) => s.replace(/\s+/g, '');
      for (const name of [n1, n2]) assert.ok(text.includes(name), `speaker ${name} in the minutes`);
      assert.ok(text.includes(C.vote) || flat(text).includes(flat(C.vote)), `vote "${C.vote}" in the minutes`);
      const png = join(ARTIFACTS, `session-${lang}-minutes`);
      rmSync(`${png}-1.png`, { force: true });
      rmSync(`${png}-01.png`, { force: true });
      execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', pdfPath, png]);

      // the audit log names every event in the language (no raw kinds like «notice_sent»)
      await page.getByTestId('audit-refresh').click();
      await page.getByTestId('audit-table').locator('tr[data-kind="notice_read"]').first().waitFor();
      const audit = await page.getByTestId('audit-table').innerText();
      assert.deepEqual(audit.match(/«[a-z_]+»/g), null, 'raw event kinds in the audit log');
      await page.getByTestId('audit').scrollIntoViewIfNeeded();
      await shot(page, 'console-audit');

      for (const p of [page, t1, t2]) assert.deepEqual(p.errors, [], 'no script errors');
      console.log(`session ${lang}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
      await server.stop();
    }
  });
}
