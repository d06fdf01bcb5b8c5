/**
 * i18n completeness across the web apps: (a) the three catalogues have the same keys and no
 * empty message; (b) every key the sources pass to `t()` exists; (c) a heuristic scan finds no
 * user-facing literal text in the sources (.ts and .html); (d) the CSS uses logical properties,
 * so Arabic (right-to-left) mirrors the layout.
 *
 * The scan is a heuristic, with a small allow-list below: when it flags a string, move the text
 * into the locale files and call `t()`; allow-list only what is not language (codes, symbols).
 */
import { describe, expect, it } from 'vitest';
import type { Msg } from '../src/i18n';
import { vi } from '../src/locales/vi';
import { en } from '../src/locales/en';
import { ar } from '../src/locales/ar';

// The apps' sources as text (Vite's glob import: no Node APIs, so this typechecks with the web
// types). Keys are paths relative to this file.
const sourceFiles = import.meta.glob<string>(
  [
    '../src/**/*.ts',
    '../../console/src/**/*.ts',
    '../../tablet-app/src/**/*.ts',
    '../../kiosk/src/**/*.ts',
    '!**/locales/**',
    '!**/protocol.ts',
    '!**/*.d.ts',
  ],
  { query: '?raw', import: 'default', eager: true },
);
const htmlFiles = import.meta.glob<string>(['../../console/*.html', '../../tablet-app/*.html', '../../kiosk/*.html'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const cssFiles = import.meta.glob<string>(
  ['../src/**/*.css', '../../console/src/**/*.css', '../../tablet-app/src/**/*.css', '../../kiosk/src/**/*.css'],
  { query: '?raw', import: 'default', eager: true },
);
const sources = Object.entries(sourceFiles);
const htmls = Object.entries(htmlFiles);
const styles = Object.entries(cssFiles);
const rel = (f: string) => f.replace(/^(\.\.\/)+/, '');

const catalogues: Record<string, Record<string, Msg>> = { vi, en, ar };

function texts(m: Msg): string[] {
  return typeof m === 'string' ? [m] : Object.values(m).filter((x): x is string => typeof x === 'string');
}

function placeholders(m: Msg): string[] {
  return [...new Set(texts(m).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!)))].sort();
}

describe('locale catalogues', () => {
  const viKeys = Object.keys(vi).sort();

  it('vi, en and ar have the same keys', () => {
    for (const [lang, cat] of Object.entries(catalogues)) {
      const keys = Object.keys(cat).sort();
      expect(keys.filter((k) => !viKeys.includes(k)), `${lang}: keys not in vi`).toEqual([]);
      expect(viKeys.filter((k) => !keys.includes(k)), `${lang}: keys missing`).toEqual([]);
    }
  });

  it('no message is empty', () => {
    for (const [lang, cat] of Object.entries(catalogues)) {
      for (const [k, m] of Object.entries(cat)) {
        for (const s of texts(m)) expect(s.trim(), `${lang} ${k}`).not.toBe('');
      }
    }
  });

  it('every translation has the same {placeholders} as Vietnamese', () => {
    for (const [lang, cat] of Object.entries(catalogues)) {
      for (const k of viKeys) {
        const m = cat[k];
        if (m === undefined) continue;
        // a plural form may leave out {n} or {total} (e.g. Arabic "one delegate")
        const want = placeholders((vi as Record<string, Msg>)[k]!);
        const got = placeholders(m);
        expect(got.filter((p) => !want.includes(p)), `${lang} ${k}: unknown placeholder`).toEqual([]);
        if (typeof m === 'string') expect(got, `${lang} ${k}`).toEqual(want);
      }
    }
  });

  it('Arabic is written in Arabic and English is not Vietnamese', () => {
    // A copy of another language is the usual way a "translation" goes wrong.
    const arabic = /[\u0600-\u06FF]/;
    const untranslated = Object.entries(ar).filter(([, m]) => texts(m).every((s) => !arabic.test(s)));
    // only codes and symbols may stay as they are
    expect(untranslated.map(([k]) => k).filter((k) => !AR_SAME.has(k))).toEqual([]);
    const viDiacritics = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;
    const enCopies = Object.entries(en).filter(([, m]) => texts(m).some((s) => viDiacritics.test(s)));
    expect(enCopies.map(([k]) => k)).toEqual([]);
  });
});

/** Arabic messages that are the same in every language (none at present). */
const AR_SAME = new Set<string>(['groups.summary_meta']);

describe('keys used in the sources', () => {
  const all = new Set(Object.keys(vi));

  it('every t("key") exists', () => {
    const missing: string[] = [];
    let seen = 0;
    expect(sources.length).toBeGreaterThan(20);
    for (const [f, src] of sources) {
      for (const m of src.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) {
        seen += 1;
        if (!all.has(m[2]!)) missing.push(`${rel(f)}: ${m[2]}`);
      }
      // t(`vote.state.${st}`): some key must start with the static prefix
      for (const m of src.matchAll(/\bt\(\s*`([^`$]*)\$\{/g)) {
        seen += 1;
        const prefix = m[1]!;
        if (![...all].some((k) => k.startsWith(prefix))) missing.push(`${rel(f)}: ${prefix}…`);
      }
      // keys named in tables (e.g. `'face.result.busy'` in a map typed MessageKey)
      for (const m of src.matchAll(/:\s*'((?:face|vote|docs|device|a11y|quorum)\.[a-z_.]+)'/g)) {
        if (!all.has(m[1]!)) missing.push(`${rel(f)}: ${m[1]}`);
      }
    }
    expect(seen, 'the scan found no t() call at all: is the pattern broken?').toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});

/**
 * Allowed literal text: strings that are not language (symbols, codes, the letter of the "A A"
 * button) or technical messages for developers. Matched exactly.
 */
const ALLOW = new Set<string>(['A', '—', ' · ', '…', 'mediaDevices']);

/** Looks like an identifier, key, CSS class, test id, URL or MIME type: not for people. */
function technical(s: string): boolean {
  return (
    !/\p{L}/u.test(s) ||
    /^[a-z0-9_.:/?=&#@*-]+$/.test(s) ||
    /^[a-z][a-zA-Z0-9]*$/.test(s) ||
    /^(image|application|text)\//.test(s) ||
    /^[a-z-]+(\s+[a-z][a-z0-9-]*)+$/.test(s) // class lists: "btn btn-primary"
  );
}

/** Patterns where a string literal is shown to people. */
const USER_FACING: RegExp[] = [
  /\.(?:textContent|innerText|title|placeholder|alt)\s*=\s*(['"`])((?:(?!\1).)*)\1/g,
  /document\.title\s*=\s*(['"`])((?:(?!\1).)*)\1/g,
  /setAttribute\(\s*'(?:aria-label|title|placeholder|alt|aria-description)'\s*,\s*(['"`])((?:(?!\1).)*)\1/g,
  /['"]?(?:aria-label|title|placeholder|alt)['"]?\s*:\s*(['"`])((?:(?!\1).)*)\1/g,
  /\b(?:alert|confirm|prompt)\(\s*(['"`])((?:(?!\1).)*)\1/g,
  // a child of h(tag, props, 'text'): a literal right after the props object or null
  /\bh\(\s*'[a-z0-9]+'\s*,\s*(?:null|\{[^{}]*\})\s*,\s*(['"`])((?:(?!\1).)*)\1/g,
];

function flagged(src: string): string[] {
  const out: string[] = [];
  for (const re of USER_FACING) {
    for (const m of src.matchAll(re)) {
      // template literals: only their fixed parts count
      const lit = m[2]!.replace(/\$\{[^}]*\}/g, '').replace(/\$\{.*$/, '');
      if (ALLOW.has(m[2]!) || technical(lit.trim())) continue;
      out.push(m[2]!);
    }
  }
  return out;
}

describe('no user-facing literal text', () => {
  it('the heuristic catches the usual mistakes (so it can fail)', () => {
    expect(flagged(`el.textContent = 'Welcome';`)).toEqual(['Welcome']);
    expect(flagged(`h('button', { 'aria-label': 'Close' })`)).toEqual(['Close']);
    expect(flagged(`input.placeholder = "Tìm kiếm";`)).toEqual(['Tìm kiếm']);
    expect(flagged(`h('p', null, 'Không có dữ liệu')`)).toEqual(['Không có dữ liệu']);
    expect(flagged(`h('span', { class: 'x' }, \`Total: \${n}\`)`)).toEqual(['Total: ${n}']);
    expect(flagged(`b.setAttribute('title', 'Help')`)).toEqual(['Help']);
    expect(flagged(`h('p', null, t('docs.none'))`)).toEqual([]);
    expect(flagged(`h('div', { class: 'btn btn-primary', 'data-testid': 'x' }, label)`)).toEqual([]);
  });

  it('.ts sources pass every shown string through t()', () => {
    const found: string[] = [];
    for (const [f, src] of sources) {
      for (const s of flagged(src)) found.push(`${rel(f)}: ${JSON.stringify(s)}`);
    }
    expect(found).toEqual([]);
  });

  it('.html files have no text outside <title> and <noscript>', () => {
    expect(htmls.length).toBeGreaterThanOrEqual(4);
    const found: string[] = [];
    for (const [f, text] of htmls) {
      const html = text
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<(script|style|title|noscript)\b[\s\S]*?<\/\1>/gi, '')
        .replace(/<[^>]+>/g, '\n');
      for (const line of html.split('\n')) if (/\p{L}/u.test(line)) found.push(`${rel(f)}: ${line.trim()}`);
      // attributes people read
      for (const m of text.matchAll(/\s(?:aria-label|title|alt|placeholder)="([^"]*)"/g)) {
        found.push(`${rel(f)}: ${m[0].trim()}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('right-to-left layout', () => {
  it('the CSS uses logical properties (inline-start/end), not left/right', () => {
    const physical =
      /(?:^|[;{\s])(margin-left|margin-right|padding-left|padding-right|border-left|border-right|left|right)\s*:|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)/;
    const found: string[] = [];
    expect(styles.length).toBeGreaterThanOrEqual(4);
    for (const [f, css] of styles) {
      css
        .split('\n')
        .forEach((line, i) => {
          if (physical.test(line.replace(/\/\*.*?\*\//g, ''))) found.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
