import { describe, expect, it } from 'vitest';
import { fold, matches, newClientId } from '../src/text';
import { normaliseCode } from '../src/pairing';

describe('search folding', () => {
  it('ignores Vietnamese diacritics, đ and case', () => {
    expect(fold('Nguyễn Đình Thắng')).toBe('nguyen dinh thang');
    expect(fold('ĐẶNG NGỌC HÒA')).toBe('dang ngoc hoa');
    expect(matches(fold('D0004 Nguyễn Đình Thắng'), 'dinh thang')).toBe(true);
    expect(matches(fold('D0004 Nguyễn Đình Thắng'), 'Thắng  Nguyễn')).toBe(true);
    expect(matches(fold('D0004 Nguyễn Đình Thắng'), 'thanh')).toBe(false);
  });

  it('folds precomposed and decomposed input alike', () => {
    expect(fold('Hòa'.normalize('NFD'))).toBe(fold('Hòa'.normalize('NFC')));
  });

  it('removes Arabic harakat', () => {
    expect(fold('مُحَمَّد')).toBe('محمد');
  });
});

describe('client ids', () => {
  it('are UUID v4 and distinct', () => {
    const a = newClientId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newClientId()).not.toBe(a);
  });
});

describe('pairing codes', () => {
  it('accept spaces, dashes and Arabic-Indic digits', () => {
    expect(normaliseCode('1234 5678')).toBe('12345678');
    expect(normaliseCode('1234-5678')).toBe('12345678');
    expect(normaliseCode('١٢٣٤٥٦٧٨')).toBe('12345678');
  });
});
