/**
 * TypeScript-side test vectors: boards produced here with a fixed byte stream (seededRng),
 * committed as crates/congress-ballot/vectors/ts-vectors.json and verified by the Rust tests.
 * This test fails when the committed file differs from what the code produces; regenerate with
 *   BALLOT_VECTORS=write npx vitest run test/ballot-vectors.test.ts   (in web-common/)
 * Also measures encrypt+prove of a 60-candidate / 53-seat ballot under Node.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Board,
  castBallot,
  election,
  fromBase64,
  generateCredential,
  jointKey,
  motion,
  seededRng,
  toHex,
  trackerOf,
  verifyBallot,
  verifyBoard,
  voteContext,
} from '../src/ballot';
import { runDkg, runVote } from '../src/ballot/testkit';
import { setupFingerprint } from '../src/ballot/params';

const FILE = new URL('../../crates/congress-ballot/vectors/ts-vectors.json', import.meta.url);

function vectors() {
  const rng = seededRng('congress-ballot/v1 ts vectors');
  const sim = runDkg(rng, 'vectors/ts', 5, 3, [2, 5]);
  const sel = (...options: number[]) => ({ options });
  const e = runVote(rng, sim, { vote_id: 'vectors/ts/election', question: election(4, 3) }, [sel(0, 1, 2), sel(3), sel(), { blank: true }, sel(1, 3)], 1, [2, 3, 4]);
  const m = runVote(rng, sim, { vote_id: 'vectors/ts/motion', question: motion() }, [sel(2), sel(0), { blank: true }, sel(0)], 0, [1, 3, 4, 5]);
  return [
    ['ts election 4 candidates 3 seats, dealer 2 excluded', e.board],
    ['ts motion, four decryptors', m.board],
  ].map(([name, board]) => {
    const b = board as Board;
    const r = verifyBoard(b);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return {
      name: name as string,
      board: b,
      expected: {
        setup_fingerprint: toHex(setupFingerprint(b.setup)),
        vote_fingerprint: r.fingerprint,
        short_trackers: b.ballots.map((x) => trackerOf(fromBase64(x.ballot)).short),
        qualified: r.qualified,
        result: r.result,
      },
    };
  });
}

describe('TypeScript vectors', () => {
  it('the committed ts-vectors.json is what the code produces', () => {
    const text = JSON.stringify(vectors(), null, 2) + '\n';
    if (process.env.BALLOT_VECTORS === 'write') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8')).toBe(text);
  }, 120_000);
});

describe('performance under Node', () => {
  it('encrypt+prove a 60-candidate / 53-seat ballot', () => {
    const rng = seededRng('perf');
    const sim = runDkg(rng, 'perf', 5, 3);
    const ctx = voteContext(sim.setup, { vote_id: 'perf', question: election(60, 53) }, jointKey(sim.qualified).toBytes());
    const mctx = voteContext(sim.setup, { vote_id: 'perf-m', question: motion() }, jointKey(sim.qualified).toBytes());
    const voter = generateCredential(rng);
    const enc: number[] = [];
    const ver: number[] = [];
    const menc: number[] = [];
    let size = 0;
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      const b = castBallot(ctx, voter, { options: Array.from({ length: 53 - i * 10 }, (_, k) => k) });
      enc.push(performance.now() - t);
      size = b.bytes.length;
      t = performance.now();
      verifyBallot(ctx, b);
      ver.push(performance.now() - t);
      t = performance.now();
      castBallot(mctx, voter, { options: [i % 3] });
      menc.push(performance.now() - t);
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    console.log(
      JSON.stringify({
        node_ballot_encrypt_ms_p50: Math.round(med(enc)),
        node_ballot_encrypt_ms_max: Math.round(Math.max(...enc)),
        node_ballot_verify_ms_p50: Math.round(med(ver)),
        node_motion_encrypt_ms_p50: Math.round(med(menc)),
        ballot_bytes: size,
      }),
    );
    expect(size).toBeGreaterThan(20000);
  }, 120_000);
});
