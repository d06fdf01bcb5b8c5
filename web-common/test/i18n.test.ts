import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LANG,
  LANG_STORAGE_KEY,
  fmtLocal,
  fmtNumber,
  getLanguage,
  initLanguage,
  onLanguageChange,
  setLanguage,
  t,
} from '../src/i18n';
import { vi as viCatalog } from '../src/locales/vi';
import { en } from '../src/locales/en';
import { ar } from '../src/locales/ar';
import { MemoryKV } from '../src/storage';

const target = () => ({ lang: '', dir: '' });

afterEach(() => setLanguage('vi', { storage: null, target: null }));

describe('i18n', () => {
  it('defaults to Vietnamese', () => {
    const storage = new MemoryKV();
    const root = target();
    expect(initLanguage({ storage, target: root })).toBe(DEFAULT_LANG);
    expect(DEFAULT_LANG).toBe('vi');
    expect(root).toEqual({ lang: 'vi', dir: 'ltr' });
    expect(t('login.submit')).toBe('Đăng nhập');
  });

  it('remembers the language per device and restores it', () => {
    const storage = new MemoryKV();
    setLanguage('en', { storage, target: null });
    expect(storage.getItem(LANG_STORAGE_KEY)).toBe('en');
    setLanguage('vi', { storage: null, target: null });
    expect(initLanguage({ storage, target: null })).toBe('en');
    expect(t('login.submit')).toBe('Sign in');
  });

  it('ignores a stored value that is not a language', () => {
    const storage = new MemoryKV();
    storage.setItem(LANG_STORAGE_KEY, 'xx');
    expect(initLanguage({ storage, target: null })).toBe('vi');
  });

  it('sets dir=rtl for Arabic and back to ltr', () => {
    const root = target();
    setLanguage('ar', { storage: null, target: root });
    expect(root).toEqual({ lang: 'ar', dir: 'rtl' });
    setLanguage('en', { storage: null, target: root });
    expect(root).toEqual({ lang: 'en', dir: 'ltr' });
  });

  it('Arabic uses its own strings', () => {
    setLanguage('ar', { storage: null, target: null });
    expect(t('status.present')).toBe('حاضر');
    expect(ar['login.submit']).toBe('تسجيل الدخول');
    expect(t('login.submit')).toBe('تسجيل الدخول');
  });

  it('English has every key and no empty string', () => {
    for (const k of Object.keys(viCatalog)) {
      expect(en, k).toHaveProperty([k]);
      expect(en[k as keyof typeof en], k).toBeTruthy();
    }
  });

  it('fills placeholders and formats numbers with the locale', () => {
    setLanguage('en', { storage: null, target: null });
    expect(t('quorum.rule', { num: 2, den: 3 })).toBe('2/3 of delegates convened');
    expect(fmtNumber(1600)).toBe('1,600');
    setLanguage('vi', { storage: null, target: null });
    expect(fmtNumber(1600)).toBe('1.600');
    expect(t('tablet.hello', { name: 'Nguyễn Minh Nghĩa' })).toBe('Xin chào, Nguyễn Minh Nghĩa');
  });

  it('chooses plural forms by the locale', () => {
    setLanguage('en', { storage: null, target: null });
    expect(t('delegate.count', { shown: '1', total: '1', n: 1 })).toBe('Showing 1 of 1 delegate');
    expect(t('delegate.count', { shown: '3', total: '450', n: 450 })).toBe('Showing 3 of 450 delegates');
  });

  it('formats local dates without a time-zone shift', () => {
    setLanguage('en', { storage: null, target: null });
    expect(fmtLocal('2026-12-01')).toBe('1 December 2026');
    expect(fmtLocal('2026-12-01T08:00')).toContain('08:00');
  });

  it('notifies listeners on change', () => {
    const seen: string[] = [];
    const off = onLanguageChange((l) => seen.push(l));
    setLanguage('en', { storage: null, target: null });
    off();
    setLanguage('vi', { storage: null, target: null });
    expect(seen).toEqual(['en']);
    expect(getLanguage()).toBe('vi');
  });
});
