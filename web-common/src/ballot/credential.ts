/**
 * Ed25519 credentials (RFC 8032, @noble/curves) with the same strict rules as the Rust side:
 * canonical A and R, neither of small order, both torsion-free, S < ℓ; then RFC 8032
 * verification. Under these rules cofactored and cofactorless verification agree.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { bytesEqual, fail } from './encoding';
import { L, type Rng, systemRng } from './group';

export interface Credential {
  /** The 32-byte RFC 8032 seed (secret). */
  seed: Uint8Array;
  /** The public key that is registered. */
  public: Uint8Array;
}

export function credentialFromSeed(seed: Uint8Array): Credential {
  if (seed.length !== 32) fail('wrong length: credential seed');
  return { seed, public: ed25519.getPublicKey(seed) };
}

/** A new credential; `rng` defaults to the platform CSPRNG (a seeded one is for tests only). */
export function generateCredential(rng: Rng = systemRng): Credential {
  return credentialFromSeed(rng(32));
}

export function sign(c: Credential, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, c.seed);
}

function strictPoint(b: Uint8Array, what: string): void {
  let p;
  try {
    p = ed25519.Point.fromBytes(b, false);
  } catch {
    return fail(`signature does not verify: ${what}`);
  }
  if (!bytesEqual(p.toBytes(), b) || p.isSmallOrder() || !p.isTorsionFree()) fail(`signature does not verify: ${what}`);
}

export function checkPublicKey(pk: Uint8Array): void {
  if (pk.length !== 32) fail('wrong length: public key');
  strictPoint(pk, 'public key is not canonical, or weak');
}

/** Throws unless the signature verifies under the strict rules. */
export function verifySignature(pk: Uint8Array, message: Uint8Array, sig: Uint8Array): void {
  checkPublicKey(pk);
  if (sig.length !== 64) fail('wrong length: signature');
  strictPoint(sig.subarray(0, 32), 'signature R is not canonical, or weak');
  if (bytesToNumberLE(sig.subarray(32)) >= L) fail('signature does not verify: signature S is not reduced');
  if (!ed25519.verify(sig, message, pk, { zip215: false })) fail('signature does not verify: does not verify');
}
