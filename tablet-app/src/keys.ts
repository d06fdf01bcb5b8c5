/**
 * The tablet's keys: its document key, its voting credential and, on a counting-board member's
 * tablet, its share of the board's key. When the tablet is paired it generates an age X25519 identity in
 * the browser (`age-encryption`), keeps it in IndexedDB, and sends only the public recipient
 * (`age1…`) in `POST /api/devices/pair`. The identity never leaves the tablet.
 *
 * What protects it: it lives in this origin's IndexedDB, readable only by pages of the congress
 * server's origin on this tablet's browser profile; the ciphertext it opens is useless on any
 * other device. What does not: age identities are strings, so WebCrypto's non-extractable keys
 * cannot hold them; anyone with the unlocked tablet (or a copy of the browser profile, or
 * script injected into the origin) can read the key. The tablet's disk encryption and screen
 * lock, and unpairing a lost tablet at once (it gets nothing new), are the defence. See
 * ARCHITECTURE.md ("Document keys"). The voting credential (an Ed25519 seed, whose public key is
 * sent at pairing, docs/ballot-crypto.md) and a member's key share are kept the same way and
 * forgotten with the identity.
 */
import { newIdentity } from './agecrypt';
import { credentialFromSeed, fromHex, generateCredential, toHex, type Credential, type KeyShare } from '@congress/web-common/ballot';

const DB = 'congress-tablet-keys';
const STORE = 'keys';
const KEY = 'identity';
/** The voting credential's Ed25519 seed (hex). */
const CREDENTIAL = 'credential';
/** A counting-board member's key share, by board id: `{index, secret}` (hex). */
const SHARE_PREFIX = 'share:';

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

/**
 * Called when pairing, with the recipient: a new Ed25519 voting credential (docs/ballot-crypto.md),
 * kept next to the age identity with the same protection; only its public key (hex) is sent.
 */
export async function deviceCredentialKey(): Promise<string | null> {
  const c = generateCredential();
  await tx('readwrite', (s) => s.put(toHex(c.seed), CREDENTIAL));
  return toHex(c.public);
}

/** The tablet's voting credential, or null (paired before credentials, or storage cleared). */
export async function deviceCredential(): Promise<Credential | null> {
  try {
    const v = await tx<unknown>('readonly', (s) => s.get(CREDENTIAL));
    return typeof v === 'string' ? credentialFromSeed(fromHex(v, 32)) : null;
  } catch {
    return null;
  }
}

/** Keeps a counting-board member's key share for the board `boardId`. */
export async function saveKeyShare(boardId: string, share: KeyShare): Promise<void> {
  await tx('readwrite', (s) => s.put({ index: share.index, secret: share.secret.toString(16) }, SHARE_PREFIX + boardId));
}

/** The key share kept for `boardId`, or null. */
export async function keyShare(boardId: string): Promise<KeyShare | null> {
  try {
    const v = await tx<{ index: number; secret: string } | undefined>('readonly', (s) => s.get(SHARE_PREFIX + boardId));
    return v ? { index: v.index, secret: BigInt(`0x${v.secret}`) } : null;
  } catch {
    return null;
  }
}

/** Forgets the identity, the credential and any key share (unpaired tablet). */
export async function forgetIdentity(): Promise<void> {
  try {
    await tx('readwrite', (s) => s.clear());
  } catch {
    /* nothing stored */
  }
}
