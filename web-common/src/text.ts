/** Text helpers: diacritic-insensitive search keys, client ids. */

/**
 * Folds a string for searching: case-insensitive, Vietnamese diacritics and Arabic harakat
 * removed, `đ` → `d`. "Nguyễn Đình Thắng" and "nguyen dinh thang" fold to the same key.
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when every word of `query` occurs in `haystack` (both folded). */
export function matches(haystackFolded: string, query: string): boolean {
  const words = fold(query).split(' ').filter(Boolean);
  return words.every((w) => haystackFolded.includes(w));
}

/**
 * A fresh UUID v4 for a request's `client_id`. `crypto.randomUUID` exists only in secure
 * contexts (https or localhost); tablets on the hall LAN load the app over plain http, so fall
 * back to `crypto.getRandomValues`, which is available everywhere.
 */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
