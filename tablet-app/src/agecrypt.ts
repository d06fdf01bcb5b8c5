/**
 * age on the tablet, with the `age-encryption` package (by age's author). Pure functions, no
 * storage: the plaintext of a document only ever exists in memory.
 */
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';

/** A fresh X25519 identity (`AGE-SECRET-KEY-1…`) and its recipient (`age1…`). */
export async function newIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  return { identity, recipient };
}

/** Decrypts an age file (binary format) in memory. */
export async function decryptInMemory(ciphertext: Uint8Array, identity: string): Promise<Uint8Array> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(ciphertext, 'uint8array');
}

/** Encrypts bytes to one recipient (`age1…`): a counting-board share sealed to a member's tablet. */
export async function encryptTo(recipient: string, plaintext: Uint8Array): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return e.encrypt(plaintext);
}
