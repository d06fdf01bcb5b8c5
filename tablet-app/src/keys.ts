/**
 * The tablet's document key. When the tablet is paired it generates an age X25519 identity in
 * the browser (`age-encryption`), keeps it in IndexedDB, and sends only the public recipient
 * (`age1…`) in `POST /api/devices/pair`. The identity never leaves the tablet.
 *
 * What protects it: it lives in this origin's IndexedDB, readable only by pages of the congress
 * server's origin on this tablet's browser profile; the ciphertext it opens is useless on any
 * other device. What does not: age identities are strings, so WebCrypto's non-extractable keys
 * cannot hold them; anyone with the unlocked tablet (or a copy of the browser profile, or
 * script injected into the origin) can read the key. The tablet's disk encryption and screen
 * lock, and unpairing a lost tablet at once (it gets nothing new), are the defence. See
 * ARCHITECTURE.md ("Document keys").
 */
import { newIdentity } from './agecrypt';

const DB = 'congress-tablet-keys';
const STORE = 'keys';
const KEY = 'identity';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = f(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result as T);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** The stored identity, or null when the tablet has none (not paired, or storage cleared). */
export async function deviceIdentity(): Promise<string | null> {
  try {
    const v = await tx<unknown>('readonly', (s) => s.get(KEY));
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * Called when pairing: a new identity for every pairing (an old one is replaced), stored
 * before its recipient is handed to the server.
 */
export async function deviceRecipient(): Promise<string | null> {
  const { identity, recipient } = await newIdentity();
  await tx('readwrite', (s) => s.put(identity, KEY));
  return recipient;
}

/** Forgets the identity (unpaired tablet). */
export async function forgetIdentity(): Promise<void> {
  try {
    await tx('readwrite', (s) => s.delete(KEY));
  } catch {
    /* nothing stored */
  }
}
