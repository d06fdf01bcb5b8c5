/**
 * A third reading of the ballot proofs, written from docs/ballot-crypto.md only: every equation
 * of every branch checked on its own (no batching, no merged coefficients, no random weights),
 * and the challenges summed explicitly. Run over the Rust vectors' ballots and the negative
 * vectors, it must agree with verifyBallot (batched) ballot by ballot, so a mistake in the
 * batch algebra shared by the two implementations would show here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { type Board, decodeBallot, fromBase64, fromHex, verifyBallot, voteContext } from '../src/ballot';
import { type Ballot, bitChallenge, rangeChallenge } from '../src/ballot/ballot';
import { G, L, type Point, ZERO, decodePoint, mulVartime, seededRng } from '../src/ballot/group';
import { slots, weight, type VoteContext } from '../src/ballot/params';
import type { DisjunctiveProof } from '../src/ballot/proofs';

vi.setConfig({ testTimeout: 120_000 });

/** One disjunctive proof that (α, β) encrypts one of lo, lo+1, … under y, equation by equation. */
function directProof(y: Point, alpha: Point, beta: Point, p: DisjunctiveProof, c: bigint, lo: number): boolean {
  const m = p.commitments.length;
  const sum = p.challenges.reduce((a, b) => a + b, 0n);
  const cs = [...p.challenges, (((c - sum) % L) + L) % L];
  for (let j = 0; j < m; j++) {
    const a = decodePoint(p.commitments[j]![0], 'A');
    const b = decodePoint(p.commitments[j]![1], 'B');
    const [cj, sj] = [cs[j]!, p.responses[j]!];
    if (!mulVartime(G, sj).equals(a.add(mulVartime(alpha, cj)))) return false;
    const shifted = beta.subtract(mulVartime(G, BigInt(lo + j)));
    if (!mulVartime(y, sj).equals(b.add(mulVartime(shifted, cj)))) return false;
  }
  return cs.reduce((x, v) => x + v, 0n) % L === c;
}

/** The whole ballot's proofs (its signature and encoding are checked by verifyBallot). */
function directBallot(ctx: VoteContext, b: Ballot): boolean {
  const q = ctx.vote.question;
  if (b.ciphertexts.length !== slots(q)) return false;
  const cts = b.ciphertexts.map(([a, bb]) => [decodePoint(a, 'alpha'), decodePoint(bb, 'beta')] as const);
  for (let i = 0; i < cts.length; i++) {
    const c = bitChallenge(b.vote, b.credential, i, b.ciphertexts[i]!, b.bits[i]!.commitments);
    if (!directProof(ctx.key, cts[i]![0], cts[i]![1], b.bits[i]!, c, 0)) return false;
  }
  let alpha = ZERO;
  let beta = ZERO;
  cts.forEach(([a, bb], i) => {
    alpha = alpha.add(mulVartime(a, BigInt(weight(q, i))));
    beta = beta.add(mulVartime(bb, BigInt(weight(q, i))));
  });
  const c = rangeChallenge(ctx, b.credential, b.ciphertexts, b.range.commitments);
  return b.range.commitments.length === q.max - q.min + 1 && directProof(ctx.key, alpha, beta, b.range, c, q.min);
}

const dir = '../../crates/congress-ballot/vectors/';
const read = (f: string) => readFileSync(new URL(dir + f, import.meta.url), 'utf8');
const vectors = JSON.parse(read('rust-vectors.json')) as { name: string; board: Board }[];
const inv = JSON.parse(read('invalid-vectors.json')) as { valid_ballot: string; ballots: { name: string; reason: string; ballot: string }[] };
const rng = seededRng('ballot-direct.test');

describe('direct verification agrees with the batched verifier', () => {
  for (const v of vectors) {
    it(v.name, () => {
      const ctx = voteContext(v.board.setup, v.board.vote, fromHex(v.board.joint_public_key, 32));
      for (const entry of v.board.ballots) {
        const b = decodeBallot(fromBase64(entry.ballot));
        expect(directBallot(ctx, b)).toBe(true);
        expect(() => verifyBallot(ctx, b, rng)).not.toThrow();
      }
    });
  }
  it('negative vectors: a bad proof is bad in both readings', () => {
    const b = vectors[0]!.board;
    const ctx = voteContext(b.setup, b.vote, fromHex(b.joint_public_key, 32));
    expect(directBallot(ctx, decodeBallot(fromBase64(inv.valid_ballot)))).toBe(true);
    const proofCases = inv.ballots.filter((c) => c.reason === 'proof does not verify');
    expect(proofCases.length).toBeGreaterThanOrEqual(5);
    for (const c of proofCases) {
      const ballot = decodeBallot(fromBase64(c.ballot));
      expect(directBallot(ctx, ballot), c.name).toBe(false);
      expect(() => verifyBallot(ctx, ballot, rng), c.name).toThrow(/proof does not verify/);
    }
  });
});
