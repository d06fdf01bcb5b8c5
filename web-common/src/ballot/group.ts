/**
 * The group and the hashes: ristretto255 points and scalars modulo ℓ (from @noble/curves), the
 * domain-separation tags, Fiat–Shamir challenges (SHA-512 mod ℓ) and fingerprints (SHA-256),
 * and the randomness source (an injectable byte generator, for test vectors).
 */

import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Writer, fail } from './encoding';

export const Point = ristretto255.Point;
export type Point = InstanceType<typeof ristretto255.Point>;

/** ℓ, the order of the group. */
export const L = Point.Fn.ORDER;
export const G = Point.BASE;
// Window-8 tables for g, built at the first use (noble keeps none for the ristretto base): ~2.5× faster g^s.
G.precompute(8);
export const ZERO = Point.ZERO;

export const TAG_SETUP = 'congress-ballot/v1/setup';
export const TAG_VOTE = 'congress-ballot/v1/vote';
export const TAG_BIT = 'congress-ballot/v1/bit';
export const TAG_RANGE = 'congress-ballot/v1/range';
export const TAG_BALLOT_SIGNATURE = 'congress-ballot/v1/ballot';
export const TAG_POK = 'congress-ballot/v1/pok';
export const TAG_DKG_COMMITMENTS = 'congress-ballot/v1/dkg-commitments';
export const TAG_DKG_SHARE = 'congress-ballot/v1/dkg-share';
export const TAG_DLEQ = 'congress-ballot/v1/dleq';

export function mod(a: bigint): bigint {
  const r = a % L;
  return r < 0n ? r + L : r;
}

/** Inverse modulo ℓ (Fermat). */
export function inv(a: bigint): bigint {
  if (mod(a) === 0n) fail('inverse of zero');
  return Point.Fn.inv(mod(a));
}

/** The 32-byte little-endian encoding of a scalar. */
export function scalarBytes(s: bigint): Uint8Array {
  return numberToBytesLE(mod(s), 32);
}

/** A canonical scalar (< ℓ), or an error. */
export function decodeScalar(b: Uint8Array, what: string): bigint {
  if (b.length !== 32) fail(`wrong length: ${what}`);
  const n = bytesToNumberLE(b);
  if (n >= L) fail(`not a canonical scalar: ${what}`);
  return n;
}

/** A canonical ristretto255 encoding (identity allowed), or an error. */
export function decodePoint(b: Uint8Array, what: string): Point {
  if (b.length !== 32) fail(`wrong length: ${what}`);
  try {
    return Point.fromBytes(b);
  } catch {
    return fail(`not a canonical ristretto255 point: ${what}`);
  }
}

/** As decodePoint, and not the identity (keys, commitments). */
export function decodeKey(b: Uint8Array, what: string): Point {
  const p = decodePoint(b, what);
  if (p.is0()) fail(`identity element not allowed: ${what}`);
  return p;
}

/** s·P for any s (0 and ℓ-multiples give the identity). Constant-time path of noble. */
export function mul(p: Point, s: bigint): Point {
  const r = mod(s);
  return r === 0n ? ZERO : p.multiply(r);
}

/** s·P, variable time (verification only). */
export function mulVartime(p: Point, s: bigint): Point {
  return p.multiplyUnsafe(mod(s));
}

/** Starts a hash input with u32be(len(tag)) || tag. */
export function tagged(tag: string): Writer {
  return new Writer().str(tag);
}

/** SHA-512 of the input, little-endian, modulo ℓ. */
export function challenge(w: Writer): bigint {
  return mod(bytesToNumberLE(sha512(w.finish())));
}

export function fingerprint(w: Writer): Uint8Array {
  return sha256(w.finish());
}

export function signedMessage(tag: string, body: Uint8Array): Uint8Array {
  return tagged(tag).raw(body).finish();
}

/** A source of random bytes. The default is the platform's CSPRNG. */
export type Rng = (n: number) => Uint8Array;

export const systemRng: Rng = (n) => {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
};

/** A uniformly random scalar: 64 random bytes, little-endian, mod ℓ (as dalek's Scalar::random). */
export function randomScalar(rng: Rng): bigint {
  return mod(bytesToNumberLE(rng(64)));
}

/**
 * A deterministic byte stream for test vectors ONLY: SHA-512(seed || u64be counter) blocks.
 * Never use it for real ballots.
 */
export function seededRng(seed: string): Rng {
  let counter = 0;
  let buf = new Uint8Array(0);
  const s = new TextEncoder().encode(seed);
  return (n) => {
    while (buf.length < n) {
      const c = new Uint8Array(8);
      new DataView(c.buffer).setBigUint64(0, BigInt(counter++), false);
      const block = sha512(new Writer().raw(s).raw(c).finish());
      const next = new Uint8Array(buf.length + block.length);
      next.set(buf);
      next.set(block, buf.length);
      buf = next;
    }
    const out = buf.slice(0, n);
    buf = buf.slice(n);
    return out;
  };
}
