/**
 * The disjunctive Chaum–Pedersen proof (CDS OR-composition) that an ElGamal ciphertext encrypts
 * one of lo..=hi, in commitment form: per branch j, (A_j, B_j), challenges c_0..c_{m−2} (the
 * last is c − Σ), responses s_j. Verified by collecting all equations of a ballot into one
 * multiscalar multiplication with random weights (noble's Pippenger).
 */

import { pippenger } from '@noble/curves/abstract/curve.js';
import { Reader, Writer, fail } from './encoding';
import { G, Point, decodePoint, decodeScalar, mod, mul, randomScalar, scalarBytes, type Rng } from './group';

export interface DisjunctiveProof {
  /** (A_j, B_j) encodings per branch. */
  commitments: [Uint8Array, Uint8Array][];
  /** c_0..c_{m−2}. */
  challenges: bigint[];
  /** s_0..s_{m−1}. */
  responses: bigint[];
}

export function writeProof(p: DisjunctiveProof, w: Writer): void {
  for (const [a, b] of p.commitments) w.raw(a).raw(b);
  for (const c of p.challenges) w.raw(scalarBytes(c));
  for (const s of p.responses) w.raw(scalarBytes(s));
}

export function readProof(r: Reader, m: number): DisjunctiveProof {
  const commitments: [Uint8Array, Uint8Array][] = [];
  for (let j = 0; j < m; j++) commitments.push([r.take(32, 'proof commitment'), r.take(32, 'proof commitment')]);
  const challenges: bigint[] = [];
  for (let j = 1; j < m; j++) challenges.push(decodeScalar(r.take(32, 'proof challenge'), 'proof challenge'));
  const responses: bigint[] = [];
  for (let j = 0; j < m; j++) responses.push(decodeScalar(r.take(32, 'proof response'), 'proof response'));
  return { commitments, challenges, responses };
}

export function writeCommitments(c: [Uint8Array, Uint8Array][], w: Writer): void {
  for (const [a, b] of c) w.raw(a).raw(b);
}

/**
 * Proves that the encryption under `y` with randomness r of m lies in lo..=hi. Only fixed-base
 * multiplications: a simulated branch is A = g^{s−c·r}, B = y^{s−c·r}·g^{c·(v−m)}.
 */
export function prove(
  rng: Rng,
  y: Point,
  r: bigint,
  m: number,
  lo: number,
  hi: number,
  hash: (commitments: [Uint8Array, Uint8Array][]) => bigint,
): DisjunctiveProof {
  if (m < lo || m > hi) fail(`out of range: ${m} not in ${lo}..=${hi}`);
  const commitments: [Uint8Array, Uint8Array][] = [];
  const cs: bigint[] = [];
  const ss: bigint[] = [];
  let w = 0n;
  for (let v = lo; v <= hi; v++) {
    if (v === m) {
      w = randomScalar(rng);
      // The same multiplications as a simulated branch (the third one discarded), so the true
      // branch does not stand out by its count. BigInt is still not constant time (see docs).
      const dummy = mul(G, w);
      commitments.push([mul(G, w).toBytes(), mul(y, w).add(dummy.subtract(dummy)).toBytes()]);
      cs.push(0n);
      ss.push(0n);
    } else {
      const c = randomScalar(rng);
      const s = randomScalar(rng);
      const e = mod(s - c * r);
      commitments.push([mul(G, e).toBytes(), mul(y, e).add(mul(G, c * BigInt(v - m))).toBytes()]);
      cs.push(c);
      ss.push(s);
    }
  }
  const c = hash(commitments);
  const k = m - lo;
  const cReal = mod(c - cs.reduce((a, b) => a + b, 0n));
  cs[k] = cReal;
  ss[k] = mod(w + cReal * r);
  cs.pop();
  return { commitments, challenges: cs, responses: ss };
}

/** A multiscalar equation Σ s·P = 0 under construction, with random weights. */
export class Msm {
  g = 0n;
  y = 0n;
  points: Point[] = [];
  scalars: bigint[] = [];
  constructor(private readonly rng: Rng) {}

  /** A 128-bit random weight. */
  weight(): bigint {
    const b = this.rng(16);
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    return n === 0n ? 1n : n;
  }
  push(s: bigint, p: Point): void {
    const r = mod(s);
    if (r !== 0n && !p.is0()) {
      this.scalars.push(r);
      this.points.push(p);
    }
  }
  holds(y: Point): boolean {
    this.push(this.g, G);
    this.push(this.y, y);
    if (this.points.length === 0) return true;
    return pippenger(Point, this.points, this.scalars).is0();
  }
}

/**
 * Adds the proof's equations g^{s_j} = A_j·α^{c_j}, y^{s_j} = B_j·(β·g^{−v_j})^{c_j} with random
 * weights; returns the coefficients the caller gives to α and β.
 */
export function addToMsm(msm: Msm, p: DisjunctiveProof, c: bigint, lo: number): [bigint, bigint] {
  const m = p.commitments.length;
  if (m === 0 || p.challenges.length + 1 !== m || p.responses.length !== m) fail('wrong length: proof branches');
  const last = mod(c - p.challenges.reduce((a, b) => a + b, 0n));
  let ca = 0n;
  let cb = 0n;
  p.commitments.forEach(([aBytes, bBytes], j) => {
    const cj = j < m - 1 ? p.challenges[j]! : last;
    const s = p.responses[j]!;
    const a = decodePoint(aBytes, 'proof commitment');
    const b = decodePoint(bBytes, 'proof commitment');
    const z1 = msm.weight();
    const z2 = msm.weight();
    msm.g = mod(msm.g + z1 * s + z2 * cj * BigInt(lo + j));
    msm.y = mod(msm.y + z2 * s);
    msm.push(-z1, a);
    msm.push(-z2, b);
    ca = mod(ca - z1 * cj);
    cb = mod(cb - z2 * cj);
  });
  return [ca, cb];
}

