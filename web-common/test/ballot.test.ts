/**
 * The ballot cryptography in TypeScript: a whole ceremony verifies and counts; tampered boards
 * are each caught; malformed inputs are refused; and the boards produced by the Rust crate
 * (crates/congress-ballot/vectors/rust-vectors.json) verify here with the same derived values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 });
import {
  type Board,
  castBallot,
  checkPublicKey,
  decodeBallot,
  fromHex,
  election,
  findTracker,
  generateCredential,
  jointKey,
  motion,
  seededRng,
  toBase64,
  fromBase64,
  trackerOf,
  verifyBallot,
  verifyBoard,
  voteContext,
} from '../src/ballot';
import { runDkg, runVote } from '../src/ballot/testkit';
import { setupFingerprint } from '../src/ballot/params';
import { toBase32, toHex } from '../src/ballot/encoding';
import { TAG_BALLOT_SIGNATURE, signedMessage } from '../src/ballot/group';
import { ed25519 } from '@noble/curves/ed25519.js';

const rng = seededRng('ballot.test');
const sim = runDkg(rng, 'ts-test', 5, 3, [4, 2]);
const sel = (...options: number[]) => ({ options });
const selections = [sel(0, 2), sel(2), sel(), { blank: true as const }, sel(1, 4), sel(0, 4)];
const { board, voters } = runVote(rng, sim, { vote_id: 'v1', question: election(5, 2) }, selections, 2, [1, 3, 5]);
const clone = (b: Board): Board => JSON.parse(JSON.stringify(b)) as Board;
const problems = (b: Board): string[] => {
  const r = verifyBoard(b, rng);
  return r.ok ? [] : r.problems.map((p) => `${p.at}: ${p.what}`);
};

describe('ballot ceremony', () => {
  it('excludes the cheating dealer and counts right', () => {
    expect(sim.qualified.dealers).toEqual([1, 2, 3, 5]);
    const r = verifyBoard(board, rng);
    expect(r).toMatchObject({ ok: true, ballots: 6, result: [2, 1, 2, 0, 2, 1], decryptors: [1, 3, 5] });
  });

  it('finds a tracker by full hash and by short code', () => {
    const b = decodeBallot(fromBase64(board.ballots[2]!.ballot));
    const t = trackerOf(b.bytes);
    expect(t.short).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(findTracker(board, t.hash)).toBe(true);
    expect(findTracker(board, t.short.toLowerCase())).toBe(true);
    expect(findTracker(board, 'AAAAA-AAAAA')).toBe(false);
  });

  it('base32 and base64 match RFC 4648', () => {
    expect(toBase32(new TextEncoder().encode('foobar'))).toBe('MZXW6YTBOI');
    expect(toBase64(new TextEncoder().encode('fooba'))).toBe('Zm9vYmE=');
    expect(() => fromBase64('Zm9vYmF=')).toThrow(/base64/);
    expect(() => fromBase64('Zm9vYmE')).toThrow(/base64/);
  });
});

describe('tampered boards are caught', () => {
  it('a ballot changed by the server (signature), or a bad proof signed by the voter (proof)', () => {
    let b = clone(board);
    const bytes = fromBase64(b.ballots[2]!.ballot);
    bytes[1 + 32 + 32 + 2 + 6 * 64 + 4 * 32]! ^= 1;
    b.ballots[2]!.ballot = toBase64(bytes);
    b.ballots[2]!.tracker = trackerOf(bytes).hash;
    expect(problems(b).some((p) => p.startsWith('ballots[2]: signature does not verify'))).toBe(true);
    // Signed by the voter's own credential: the proof is what fails, and only that.
    const cred = toHex(decodeBallot(bytes).credential);
    const voter = voters.find((v) => toHex(v.public) === cred)!;
    const n = bytes.length - 64;
    bytes.set(ed25519.sign(signedMessage(TAG_BALLOT_SIGNATURE, bytes.subarray(0, n)), voter.seed), n);
    b = clone(board);
    b.ballots[2] = { tracker: trackerOf(bytes).hash, ballot: toBase64(bytes) };
    b.ballots.sort((x, y) => (x.tracker < y.tracker ? -1 : 1));
    const at = b.ballots.findIndex((x) => x.ballot === toBase64(bytes));
    expect(problems(b)).toEqual([`ballots[${at}]: proof does not verify: ballot proofs`]);
  });
  it('re-ordered, dropped, duplicated ballots', () => {
    let b = clone(board);
    [b.ballots[0], b.ballots[1]] = [b.ballots[1]!, b.ballots[0]!];
    expect(problems(b).some((p) => p.includes('ascending'))).toBe(true);
    b = clone(board);
    b.ballots.splice(3, 1);
    expect(problems(b).some((p) => p.startsWith('participation'))).toBe(true);
    b.participation -= 1;
    expect(problems(b).some((p) => p.startsWith('tally'))).toBe(true);
    b = clone(board);
    b.ballots.splice(1, 0, b.ballots[1]!);
    b.participation += 1;
    expect(problems(b).some((p) => p.includes('already used'))).toBe(true);
  });
  it('an unregistered credential', () => {
    const b = clone(board);
    const cred = decodeBallot(fromBase64(b.ballots[0]!.ballot)).credential;
    const hex = Array.from(cred, (x) => x.toString(16).padStart(2, '0')).join('');
    b.credentials = b.credentials.filter((c) => c !== hex);
    expect(problems(b).some((p) => p.includes('not registered'))).toBe(true);
  });
  it('a wrong partial decryption, too few partials, a changed result or tally or key', () => {
    let b = clone(board);
    b.partials[1]!.factors[0] = b.partials[0]!.factors[0]!;
    expect(problems(b).some((p) => p.startsWith('partials[1]'))).toBe(true);
    b = clone(board);
    b.partials.length = 2;
    expect(problems(b).some((p) => p.startsWith('partials'))).toBe(true);
    b = clone(board);
    b.result[0]! += 1;
    expect(problems(b).some((p) => p.startsWith('result'))).toBe(true);
    b = clone(board);
    [b.tally[0], b.tally[1]] = [b.tally[1]!, b.tally[0]!];
    expect(problems(b).some((p) => p.startsWith('tally'))).toBe(true);
    b = clone(board);
    b.joint_public_key = b.dkg.dealers[0]!.commitments[0]!;
    expect(problems(b).some((p) => p.startsWith('joint_public_key'))).toBe(true);
  });
  it('a board that is not what the Rust verifier parses (wrong types, unknown fields)', () => {
    // The Rust verifier refuses such JSON outright; the TypeScript one must not accept it under
    // another reading (e.g. `blank: 1` as true, `vote_id: 12` as "12").
    const cases: ((b: Record<string, any>) => void)[] = [
      (b) => (b.vote.question.blank = 1),
      (b) => (b.vote.vote_id = 12),
      (b) => (b.setup.board_id = ['ts-test']),
      (b) => (b.extra = 'hidden'),
      (b) => (b.partials[0].note = 'x'),
      (b) => (b.dkg.dealers[0].pok.c = b.dkg.dealers[0].pok.c + '00'),
    ];
    for (const change of cases) {
      const b = clone(board) as unknown as Record<string, any>;
      change(b);
      const r = verifyBoard(b as unknown as Board, rng);
      expect(r.ok, change.toString()).toBe(false);
    }
  });
  it('a ballot from another vote', () => {
    const { board: other } = runVote(rng, sim, { vote_id: 'v2', question: election(5, 2) }, [sel(0)], 0, [1, 2, 3]);
    const b = clone(board);
    b.ballots.push(other.ballots[0]!);
    b.credentials = [...b.credentials, ...other.credentials].sort();
    b.ballots.sort((x, y) => (x.tracker < y.tracker ? -1 : 1));
    b.participation += 1;
    expect(problems(b).some((p) => p.includes('another vote'))).toBe(true);
  });
});

describe('malformed input', () => {
  const ctx = voteContext(sim.setup, { vote_id: 'm', question: motion() }, jointKey(sim.qualified).toBytes());
  const voter = generateCredential(rng);
  const good = castBallot(ctx, voter, { options: [1] }, rng);

  it('a good motion ballot verifies; a choice outside the rules is refused before encryption', () => {
    expect(() => verifyBallot(ctx, decodeBallot(good.bytes), rng)).not.toThrow();
    expect(() => castBallot(ctx, voter, { options: [0, 1] }, rng)).toThrow(/marks/);
    expect(() => castBallot(ctx, voter, { options: [] }, rng)).toThrow(/marks/);
    expect(() => castBallot(ctx, voter, { options: [3] }, rng)).toThrow(/option 3/);
  });
  it('wrong lengths, versions, non-canonical scalars and points', () => {
    expect(() => decodeBallot(good.bytes.slice(0, -1))).toThrow(/length/);
    expect(() => decodeBallot(new Uint8Array([...good.bytes, 0]))).toThrow(/length/);
    const v = good.bytes.slice();
    v[0] = 2;
    expect(() => decodeBallot(v)).toThrow(/version/);
    const s = good.bytes.slice();
    const c0 = 1 + 32 + 32 + 2 + 4 * 64 + 4 * 32;
    s.fill(0xff, c0, c0 + 32);
    expect(() => decodeBallot(s)).toThrow(/canonical scalar/);
    const p = good.bytes.slice();
    p.fill(0xff, 67, 67 + 32);
    expect(() => verifyBallot(ctx, decodeBallot(p), rng)).toThrow(/signature|canonical/);
  });
  it('a ballot whose fields were changed after decoding (its bytes, hence its tracker, are another ballot\'s)', () => {
    const other = castBallot(ctx, voter, { options: [2] }, rng);
    const franken = { ...other, bytes: good.bytes };
    expect(trackerOf(franken.bytes).hash).toBe(trackerOf(good.bytes).hash);
    expect(() => verifyBallot(ctx, franken, rng)).toThrow(/not its bytes/);
  });
  it('a proof moved to another credential, a replayed ballot for another vote', () => {
    const other = voteContext(sim.setup, { vote_id: 'm2', question: motion() }, jointKey(sim.qualified).toBytes());
    expect(() => verifyBallot(other, decodeBallot(good.bytes), rng)).toThrow(/another vote/);
    const thief = generateCredential(rng);
    const stolen = good.bytes.slice();
    stolen.set(thief.public, 33);
    expect(() => verifyBallot(ctx, decodeBallot(stolen), rng)).toThrow(/signature/);
  });
});

describe('Rust vectors verify in TypeScript', () => {
  const url = new URL('../../crates/congress-ballot/vectors/rust-vectors.json', import.meta.url);
  const vectors = JSON.parse(readFileSync(url, 'utf8')) as {
    name: string;
    board: Board;
    expected: { setup_fingerprint: string; vote_fingerprint: string; short_trackers: string[]; qualified: number[]; result: number[] };
  }[];
  for (const v of vectors) {
    it(v.name, () => {
      const r = verifyBoard(v.board, rng);
      expect(r).toMatchObject({ ok: true, result: v.expected.result, qualified: v.expected.qualified, fingerprint: v.expected.vote_fingerprint });
      const fp = Array.from(setupFingerprint(v.board.setup), (x) => x.toString(16).padStart(2, '0')).join('');
      expect(fp).toBe(v.expected.setup_fingerprint);
      expect(v.board.ballots.map((b) => trackerOf(fromBase64(b.ballot)).short)).toEqual(v.expected.short_trackers);
    });
  }
});

describe('negative vectors (crates/congress-ballot/vectors/invalid-vectors.json) are refused in TypeScript too', () => {
  const dir = '../../crates/congress-ballot/vectors/';
  const vectors = JSON.parse(readFileSync(new URL(dir + 'rust-vectors.json', import.meta.url), 'utf8')) as { board: Board }[];
  const inv = JSON.parse(readFileSync(new URL(dir + 'invalid-vectors.json', import.meta.url), 'utf8')) as {
    valid_ballot: string;
    ballots: { name: string; reason: string; ballot: string }[];
    keys: { name: string; key: string; valid: boolean }[];
  };
  const b = vectors[0]!.board;
  const ctx = voteContext(b.setup, b.vote, fromHex(b.joint_public_key, 32));
  it('the control ballot verifies', () => {
    expect(() => verifyBallot(ctx, decodeBallot(fromBase64(inv.valid_ballot)), rng)).not.toThrow();
  });
  for (const c of inv.ballots) {
    it(`refuses: ${c.name}`, () => {
      // For the rule it breaks, not an earlier, unrelated one.
      expect(() => verifyBallot(ctx, decodeBallot(fromBase64(c.ballot)), rng)).toThrow(new RegExp(`^${c.reason}`));
    });
  }
  for (const k of inv.keys) {
    it(`credential key: ${k.name}`, () => {
      let ok = true;
      try {
        checkPublicKey(fromHex(k.key, 32));
      } catch {
        ok = false;
      }
      expect(ok).toBe(k.valid);
    });
  }
});
