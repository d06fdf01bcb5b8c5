/**
 * Threshold decryption: a member's partial decryption with Chaum–Pedersen proofs, checking one,
 * Lagrange coefficients at 0, combining, and the small discrete logarithm of each count.
 */

import { fail, fromHex, toHex } from './encoding';
import {
  G,
  type Point,
  type Rng,
  TAG_DLEQ,
  ZERO,
  challenge,
  decodePoint,
  decodeScalar,
  inv,
  mod,
  mul,
  mulVartime,
  randomScalar,
  scalarBytes,
  systemRng,
  tagged,
} from './group';
import type { ChallengeResponse, KeyShare, Qualified } from './dkg';
import { verificationKey } from './dkg';
import type { VoteContext } from './params';

export interface PartialDecryption {
  member: number;
  factors: string[];
  proofs: ChallengeResponse[];
}

export type Ciphertext = [Point, Point];

export function dleqChallenge(vote: Uint8Array, member: number, slot: number, pts: Point[]): bigint {
  const w = tagged(TAG_DLEQ).raw(vote).u16(member).u32(slot);
  for (const p of pts) w.raw(p.toBytes());
  return challenge(w);
}

export function partialDecrypt(ctx: VoteContext, share: KeyShare, tally: Ciphertext[], rng: Rng = systemRng): PartialDecryption {
  const x = share.secret;
  const vk = mul(G, x);
  const factors: string[] = [];
  const proofs: ChallengeResponse[] = [];
  tally.forEach(([alpha], i) => {
    const d = mul(alpha, x);
    const w = randomScalar(rng);
    const c = dleqChallenge(ctx.fingerprint, share.index, i, [vk, alpha, d, mul(G, w), mul(alpha, w)]);
    factors.push(toHex(d.toBytes()));
    proofs.push({ c: toHex(scalarBytes(c)), s: toHex(scalarBytes(w + c * x)) });
  });
  return { member: share.index, factors, proofs };
}

export function verifyPartial(ctx: VoteContext, q: Qualified, tally: Ciphertext[], p: PartialDecryption): Point[] {
  if (!Number.isInteger(p.member) || p.member < 1 || p.member > ctx.setup.members.length) fail(`out of range: member ${p.member}`);
  if (p.factors.length !== tally.length || p.proofs.length !== tally.length) fail('wrong length: partial decryption slots');
  const vk = verificationKey(q, p.member);
  return tally.map(([alpha], i) => {
    const d = decodePoint(fromHex(p.factors[i]!, 32), 'decryption factor');
    const c = decodeScalar(fromHex(p.proofs[i]!.c, 32), 'proof challenge');
    const s = decodeScalar(fromHex(p.proofs[i]!.s, 32), 'proof response');
    const r1 = mulVartime(G, s).subtract(mulVartime(vk, c));
    const r2 = mulVartime(alpha, s).subtract(mulVartime(d, c));
    if (dleqChallenge(ctx.fingerprint, p.member, i, [vk, alpha, d, r1, r2]) !== c) fail('proof does not verify: decryption proof');
    return d;
  });
}

export function lagrangeAtZero(indices: number[]): bigint[] {
  if (new Set(indices).size !== indices.length || indices.some((j) => !Number.isInteger(j) || j <= 0))
    fail('invalid parameters: indices must be distinct and non-zero');
  return indices.map((j) => {
    let num = 1n;
    let den = 1n;
    for (const k of indices) {
      if (k === j) continue;
      num = mod(num * BigInt(k));
      den = mod(den * BigInt(k - j));
    }
    return mod(num * inv(den));
  });
}

/** g^{m_i} = β_i − Σ λ_j·D_{j,i} over the given partials (distinct members, at least t). */
export function combine(tally: Ciphertext[], partials: Map<number, Point[]>, threshold: number): Point[] {
  if (partials.size < threshold) fail(`not enough: ${partials.size} partial decryptions, threshold ${threshold}`);
  const idx = [...partials.keys()].sort((a, b) => a - b);
  const lambdas = lagrangeAtZero(idx);
  return tally.map(([, beta], i) => {
    let acc = ZERO;
    idx.forEach((j, k) => (acc = acc.add(mulVartime(partials.get(j)![i]!, lambdas[k]!))));
    return beta.subtract(acc);
  });
}

/** m ≤ bound with g^m = P, for each point (baby-step giant-step). */
export function discreteLogs(points: Point[], bound: number): number[] {
  const step = Math.floor(Math.sqrt(bound)) + 1;
  const table = new Map<string, number>();
  let p = ZERO;
  for (let j = 0; j < step; j++) {
    table.set(toHex(p.toBytes()), j);
    p = p.add(G);
  }
  const giant = mul(G, BigInt(step)).negate();
  return points.map((target) => {
    let cur = target;
    for (let i = 0; i * step <= bound; i++) {
      const j = table.get(toHex(cur.toBytes()));
      if (j !== undefined) {
        const m = i * step + j;
        if (m <= bound) return m;
        break;
      }
      cur = cur.add(giant);
    }
    return fail(`count above the bound ${bound}`);
  });
}
