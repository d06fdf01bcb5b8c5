import { describe, expect, it } from 'vitest';
import type { VoteInfo } from '@congress/web-common';
import {
  castBallot,
  combine,
  discreteLogs,
  generateCredential,
  jointKey,
  partialDecrypt,
  seededRng,
  tallyFromWire,
  toHex,
  verifyBallot,
  verifyPartial,
  voteContext,
  wireCiphertext,
  sumCiphertexts,
  fromHex,
} from '@congress/web-common/ballot';
import { runDkg } from '../../web-common/src/ballot/testkit';
import { selectionOf, voteParams } from '../src/secret';

/** A VoteInfo as the server sends it for an encrypted vote (only what secret.ts reads). */
function vote(kind: VoteInfo['spec']['kind'], enc: { setup: string; joint_key: string; options: number; max: number; min: number }): VoteInfo {
  return {
    spec: { id: 7, title: 't', kind, secrecy: 'secret' },
    phase: { state: 'open' },
    encryption: { ...enc, vote_key: 'b/vote-7', blank: true, tally: null, decrypted_by: [], counted: null },
  } as unknown as VoteInfo;
}

describe('an encrypted ballot on the tablet', () => {
  const rng = seededRng('tablet-secret-test');
  const board = runDkg(rng, 'b', 3, 2);
  const joint = toHex(jointKey(board.qualified).toBytes());
  const candidates = [10, 20, 30, 40, 50].map((id) => ({ id, label: `c${id}` }));
  const election = vote({ kind: 'election', seats: 2, candidates } as VoteInfo['spec']['kind'], { setup: JSON.stringify(board.setup), joint_key: joint, options: 5, min: 0, max: 2 });

  it('maps choices to slots: motion positions, option and candidate ids by position, blank', () => {
    const motion = vote({ kind: 'motion' } as VoteInfo['spec']['kind'], { setup: '{}', joint_key: joint, options: 3, min: 1, max: 1 });
    expect(selectionOf(motion, { kind: 'motion', position: 'against' })).toEqual({ options: [1] });
    expect(selectionOf(motion, { kind: 'blank' })).toEqual({ blank: true });
    expect(selectionOf(election, { kind: 'election', kept: [40, 10] })).toEqual({ options: [0, 3] });
    expect(() => selectionOf(election, { kind: 'election', kept: [99] })).toThrow(/unknown option/);
  });

  it('casts a ballot the board verifies, and two members decrypt the tally the tablet way', () => {
    const p = voteParams(election);
    const ctx = voteContext(p.setup, p.vote, fromHex(p.jointKey, 32));
    const cred = generateCredential(rng);
    const ballots = [[40, 10], [10], []].map((kept) => castBallot(ctx, cred, selectionOf(election, { kind: 'election', kept }), rng));
    const cts = ballots.map((b) => verifyBallot(ctx, b, rng));
    // An over-marked ballot cannot be made.
    expect(() => castBallot(ctx, cred, selectionOf(election, { kind: 'election', kept: [10, 20, 30] }), rng)).toThrow();
    const published = JSON.parse(JSON.stringify(sumCiphertexts(6, cts).map(wireCiphertext)));
    const tally = tallyFromWire(published);
    const factors = new Map<number, ReturnType<typeof verifyPartial>>();
    for (const m of [1, 3]) {
      const partial = JSON.parse(JSON.stringify(partialDecrypt(ctx, board.shares.get(m)!, tally, rng)));
      factors.set(m, verifyPartial(ctx, board.qualified, tally, partial));
    }
    expect(discreteLogs(combine(tally, factors, 2), 10)).toEqual([2, 0, 0, 1, 0, 0]);
  });
});
