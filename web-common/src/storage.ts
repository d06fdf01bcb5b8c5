/** Safe access to Web Storage: private modes and quotas throw; the apps must keep working. */

export interface KV {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function pick(name: 'localStorage' | 'sessionStorage'): KV | null {
  try {
    const s = (globalThis as unknown as Record<string, KV | undefined>)[name];
    return s ?? null;
  } catch {
    return null;
  }
}

/** The device's storage (survives restarts): language, device token, resume point. */
export const local = (): KV | null => pick('localStorage');
/** The tab's storage (gone when the tab closes): operator session token. */
export const session = (): KV | null => pick('sessionStorage');

export function read(kv: KV | null, key: string): string | null {
  try {
    return kv?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function write(kv: KV | null, key: string, value: string | null): void {
  try {
    if (!kv) return;
    if (value === null) kv.removeItem(key);
    else kv.setItem(key, value);
  } catch {
    /* storage full or denied: the in-memory copy still works */
  }
}

/** In-memory KV, for tests and as a fallback. */
export class MemoryKV implements KV {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}
