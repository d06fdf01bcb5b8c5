/**
 * i18n: every user-facing string comes from a message catalog. Vietnamese (`vi`) is the default
 * and the source of the keys; `en` and `ar` are complete (the type checker enforces it, and a
 * unit test checks that no value is empty); a missing key would still fall back to `en`, then
 * `vi`. Dates, times and numbers go through `Intl` with the language's locale. The language is chosen per device (localStorage)
 * and `setLanguage` sets `lang` and `dir` (right-to-left for Arabic) on the document.
 */

import { vi } from './locales/vi';
import { en } from './locales/en';
import { ar } from './locales/ar';
import { local, read, write, type KV } from './storage';

/** A message: plain text, or plural forms chosen by `Intl.PluralRules` on `params.n`. */
export type Msg = string | { readonly [form in Intl.LDMLPluralRule]?: string } & { readonly other: string };
export type MessageKey = keyof typeof vi;
export type Catalog = Partial<Record<MessageKey, Msg>>;
export type Params = Record<string, string | number>;

export type Lang = 'vi' | 'en' | 'ar';

export interface LangInfo {
  code: Lang;
  /** The language's own name, shown in the picker. */
  name: string;
  dir: 'ltr' | 'rtl';
  /** BCP 47 locale for Intl formatting. */
  locale: string;
  /** Next catalog to try for a missing key. */
  fallback: Lang | null;
}

export const LANGS: readonly LangInfo[] = [
  { code: 'vi', name: 'Tiếng Việt', dir: 'ltr', locale: 'vi-VN', fallback: null },
  { code: 'en', name: 'English', dir: 'ltr', locale: 'en-GB', fallback: 'vi' },
  { code: 'ar', name: 'العربية', dir: 'rtl', locale: 'ar', fallback: 'en' },
];

const CATALOGS: Record<Lang, Catalog> = { vi, en, ar };

export const DEFAULT_LANG: Lang = 'vi';
export const LANG_STORAGE_KEY = 'congress.lang';

let current: Lang = DEFAULT_LANG;
const listeners = new Set<(lang: Lang) => void>();

export function isLang(x: unknown): x is Lang {
  return LANGS.some((l) => l.code === x);
}

export function langInfo(lang: Lang = current): LangInfo {
  return LANGS.find((l) => l.code === lang) ?? LANGS[0]!;
}

export function getLanguage(): Lang {
  return current;
}

/** The element whose `lang`/`dir` follow the language (the document root in a browser). */
interface LangTarget {
  lang: string;
  dir: string;
}

function defaultTarget(): LangTarget | null {
  return typeof document === 'undefined' ? null : document.documentElement;
}

/**
 * Switches the language: remembers it on this device, sets `lang` and `dir` on the document
 * (so CSS logical properties flip the layout for Arabic) and tells the listeners to re-render.
 */
export function setLanguage(
  lang: Lang,
  opts: { storage?: KV | null; target?: LangTarget | null } = {},
): void {
  current = lang;
  const info = langInfo(lang);
  write(opts.storage === undefined ? local() : opts.storage, LANG_STORAGE_KEY, lang);
  const target = opts.target === undefined ? defaultTarget() : opts.target;
  if (target) {
    target.lang = info.code;
    target.dir = info.dir;
  }
  for (const l of listeners) l(lang);
}

/** Applies the language stored on this device, or the default. */
export function initLanguage(opts: { storage?: KV | null; target?: LangTarget | null } = {}): Lang {
  const stored = read(opts.storage === undefined ? local() : opts.storage, LANG_STORAGE_KEY);
  setLanguage(isLang(stored) ? stored : DEFAULT_LANG, opts);
  return current;
}

export function onLanguageChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function lookup(key: MessageKey, lang: Lang): { msg: Msg; lang: Lang } {
  let l: Lang | null = lang;
  const seen = new Set<Lang>();
  while (l && !seen.has(l)) {
    seen.add(l);
    const m = CATALOGS[l][key];
    if (m !== undefined) return { msg: m, lang: l };
    l = langInfo(l).fallback;
  }
  const m = vi[key];
  return { msg: m as Msg, lang: 'vi' };
}

function interpolate(s: string, params: Params | undefined, locale: string): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? new Intl.NumberFormat(locale).format(v) : v;
  });
}

/** Translates `key` into the current language (or `lang`), filling `{name}` placeholders. */
export function t(key: MessageKey, params?: Params, lang: Lang = current): string {
  const { msg, lang: found } = lookup(key, lang);
  const locale = langInfo(found).locale;
  let text: string;
  if (typeof msg === 'string') {
    text = msg;
  } else {
    const n = typeof params?.n === 'number' ? params.n : 0;
    const form = new Intl.PluralRules(locale).select(n);
    text = msg[form] ?? msg.other;
  }
  return interpolate(text, params, locale);
}

export function fmtNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(langInfo().locale, opts).format(n);
}

/** A time of day from epoch milliseconds, e.g. `08:31`. */
export function fmtTime(ms: number): string {
  return new Intl.DateTimeFormat(langInfo().locale, { hour: '2-digit', minute: '2-digit' }).format(
    new Date(ms),
  );
}

/** A time of day with seconds from epoch milliseconds, e.g. `08:31:05`. */
export function fmtTimeSec(ms: number): string {
  return new Intl.DateTimeFormat(langInfo().locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
    new Date(ms),
  );
}

/** A file size in KB or MB, with the language's digits and unit names. */
export function fmtBytes(bytes: number): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(langInfo().locale, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: mb ? 1 : 0,
  }).format(mb ? bytes / (1024 * 1024) : Math.ceil(bytes / 1024));
}

/** Date and time from epoch milliseconds. */
export function fmtDateTime(ms: number): string {
  return new Intl.DateTimeFormat(langInfo().locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(ms));
}

/** A short local date-time for lists, e.g. `08:00 01/12` (no year). */
export function fmtLocalShort(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return fmtLocal(iso);
  const [, y, mo, d, hh, mm] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm)));
  return new Intl.DateTimeFormat(langInfo().locale, {
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(date);
}

/**
 * A local date or date-time as written in the congress file (`2026-12-01`, `2026-12-01T08:00`),
 * formatted without shifting it through a time zone.
 */
export function fmtLocal(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, hh, mm] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh ?? 0), Number(mm ?? 0)));
  const opts: Intl.DateTimeFormatOptions = hh
    ? { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }
    : { dateStyle: 'long', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(langInfo().locale, opts).format(date);
}
