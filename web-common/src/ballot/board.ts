/**
 * The bulletin board (the same JSON as the Rust crate's `Board`) and `verifyBoard`, an
 * independent verifier: DKG and joint key, credentials, every ballot's tracker, credential,
 * signature and proofs, one ballot per credential, the count, the tally, every partial
 * decryption, and the result. Returns every problem found, each with where it is.
 */

import { type Ballot, decodeBallot, trackerOf, verifyBallot } from './ballot';
import { checkPublicKey } from './credential';
import { compareBytes, fail, fromBase64, fromHex, toBase32, toBase64, toHex } from './encoding';
import { G, type Point, type Rng, ZERO, decodePoint, mul, systemRng } from './group';
import { type DkgTranscript, type KeyShare, type Qualified, jointKey, qualify } from './dkg';
import { type Ciphertext, type PartialDecryption, combine, partialDecrypt, verifyPartial } from './decrypt';
import { type BoardSetup, type VoteContext, type VoteParams, slots, voteContext } from './params';

export const BOARD_VERSION = 1;

export interface WireCiphertext {
  alpha: string;
  beta: string;
}

export interface BoardBallot {
  tracker: string;
  /** Canonical ballot bytes, base64. */
  ballot: string;
}

export interface Board {
  version: number;
  setup: BoardSetup;
  dkg: DkgTranscript;
  joint_public_key: string;
  vote: VoteParams;
  credentials: string[];
  participation: number;
  ballots: BoardBallot[];
  tally: WireCiphertext[];
  partials: PartialDecryption[];
  result: number[];
}

export interface Problem {
  at: string;
  what: string;
}

export type BoardCheck =
  | { ok: true; fingerprint: string; ballots: number; result: number[]; qualified: number[]; decryptors: number[] }
  | { ok: false; problems: Problem[] };

export function boardBallot(b: Ballot): BoardBallot {
  return { tracker: trackerOf(b.bytes).hash, ballot: toBase64(b.bytes) };
}

export function wireCiphertext([a, b]: Ciphertext): WireCiphertext {
  return { alpha: toHex(a.toBytes()), beta: toHex(b.toBytes()) };
}

/** A published tally (`[{alpha, beta}]`, hex) as points; throws on a bad point. */
export function tallyFromWire(w: WireCiphertext[]): Ciphertext[] {
  return w.map((c) => [decodePoint(fromHex(c.alpha, 32), 'tally alpha'), decodePoint(fromHex(c.beta, 32), 'tally beta')]);
}

/** Slot-wise sum of ciphertexts. */
export function sumCiphertexts(n: number, all: Ciphertext[][]): Ciphertext[] {
  const acc: Ciphertext[] = Array.from({ length: n }, () => [ZERO, ZERO]);
  for (const cts of all) cts.forEach(([a, b], i) => (acc[i] = [acc[i]![0].add(a), acc[i]![1].add(b)]));
  return acc;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The board's JSON shape, as strictly as the Rust verifier parses it (serde, unknown fields
 * refused): every field present with its type, integers in range, fixed-length hex where the
 * Rust side has `Hex32`/`Hex64`. Written out here rather than shared, so the two verifiers do
 * not share a reading of the JSON either.
 */
type Shape = 'u16' | 'u32' | 'u64' | 'bool' | 'string' | 'hex32' | 'hex64' | 'hex' | { [field: string]: Shape } | [Shape];

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const CR: Shape = { c: 'hex32', s: 'hex32' };
const BOARD_SHAPE: Shape = {
  version: 'u32',
  setup: { board_id: 'string', threshold: 'u16', members: [{ index: 'u16', key: 'hex32' }] },
  dkg: {
    dealers: [{ dealer: 'u16', commitments: ['hex32'], pok: CR, signature: 'hex64' }],
    complaints: [{ accuser: 'u16', envelope: 'hex' }],
  },
  joint_public_key: 'hex32',
  vote: { vote_id: 'string', question: { options: 'u32', blank: 'bool', min: 'u32', max: 'u32' } },
  credentials: ['hex32'],
  participation: 'u64',
  ballots: [{ tracker: 'hex32', ballot: 'string' }],
  tally: [{ alpha: 'hex32', beta: 'hex32' }],
  partials: [{ member: 'u16', factors: ['hex32'], proofs: [CR] }],
  result: ['u64'],
};

function shapeProblem(v: unknown, shape: Shape, at: string): string | undefined {
  const int = (max: number) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? undefined : `${at}: expected an integer 0..=${max}`);
  const hex = (bytes?: number) =>
    typeof v === 'string' && HEX.test(v) && (bytes === undefined || v.length === 2 * bytes) ? undefined : `${at}: expected ${bytes ?? 'any number of'} bytes of hex`;
  if (shape === 'u16') return int(0xffff);
  if (shape === 'u32') return int(0xffffffff);
  if (shape === 'u64') return int(Number.MAX_SAFE_INTEGER);
  if (shape === 'bool') return typeof v === 'boolean' ? undefined : `${at}: expected true or false`;
  if (shape === 'string') return typeof v === 'string' ? undefined : `${at}: expected a string`;
  if (shape === 'hex32') return hex(32);
  if (shape === 'hex64') return hex(64);
  if (shape === 'hex') return hex();
  if (Array.isArray(shape)) {
    if (!Array.isArray(v)) return `${at}: expected a list`;
    for (let i = 0; i < v.length; i++) {
      const p = shapeProblem(v[i], shape[0], `${at}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at}: expected an object`;
  for (const k of Object.keys(v)) if (!(k in shape)) return `${at}: unknown field ${JSON.stringify(k)}`;
  for (const [k, s] of Object.entries(shape)) {
    if (!(k in v)) return `${at}: missing field ${JSON.stringify(k)}`;
    const p = shapeProblem((v as Record<string, unknown>)[k], s, at ? `${at}.${k}` : k);
    if (p) return p;
  }
  return undefined;
}

/** Verifies a board from its content alone. `onProgress(done, total)` after each ballot. */
export function verifyBoard(board: Board, rng: Rng = systemRng, onProgress?: (done: number, total: number) => void): BoardCheck {
  const problems: Problem[] = [];
  const add = (at: string, what: string) => problems.push({ at, what });
  const stop = (at: string, what: string): BoardCheck => (add(at, what), { ok: false, problems });
  const shape = shapeProblem(board, BOARD_SHAPE, '');
  if (shape !== undefined) return stop('board', `not a board: ${shape}`);
  if (board.version !== BOARD_VERSION) return stop('version', `version ${board.version}`);
  let q: Qualified;
  let ctx: VoteContext;
  try {
    q = qualify(board.setup, board.dkg);
  } catch (e) {
    return stop('dkg', msg(e));
  }
  if (toHex(jointKey(q).toBytes()) !== board.joint_public_key.toLowerCase())
    return stop('joint_public_key', 'not the sum of the qualified dealers\' commitments');
  try {
    ctx = voteContext(board.setup, board.vote, fromHex(board.joint_public_key, 32));
  } catch (e) {
    return stop('vote', msg(e));
  }

  const registered = new Set<string>();
  board.credentials.forEach((c, i) => {
    try {
      checkPublicKey(fromHex(c, 32));
      if (i > 0 && compareBytes(fromHex(board.credentials[i - 1]!), fromHex(c)) >= 0) add(`credentials[${i}]`, 'not ascending or repeated');
    } catch (e) {
      add(`credentials[${i}]`, msg(e));
    }
    registered.add(c.toLowerCase());
  });

  const n = slots(board.vote.question);
  const used = new Map<string, number>();
  const cts: Ciphertext[][] = [];
  let allGood = true;
  board.ballots.forEach((entry, i) => {
    const where = `ballots[${i}]`;
    try {
      if (i > 0 && compareBytes(fromHex(board.ballots[i - 1]!.tracker), fromHex(entry.tracker)) >= 0)
        add(where, 'not in ascending tracker order, or repeated');
      const bytes = fromBase64(entry.ballot);
      if (trackerOf(bytes).hash !== entry.tracker.toLowerCase()) add(where, 'tracker is not the hash of the ballot');
      const b = decodeBallot(bytes);
      const cred = toHex(b.credential);
      if (!registered.has(cred)) add(where, 'credential not registered');
      const first = used.get(cred);
      if (first !== undefined) add(where, `credential already used by ballots[${first}]`);
      else used.set(cred, i);
      cts.push(verifyBallot(ctx, b, rng));
    } catch (e) {
      allGood = false;
      add(where, msg(e));
    }
    onProgress?.(i + 1, board.ballots.length);
  });
  if (board.ballots.length !== board.participation)
    add('participation', `${board.ballots.length} ballots, ${board.participation} participations`);

  if (allGood) {
    const sum = sumCiphertexts(n, cts).map(wireCiphertext);
    const same =
      sum.length === board.tally.length &&
      sum.every((c, i) => c.alpha === board.tally[i]!.alpha.toLowerCase() && c.beta === board.tally[i]!.beta.toLowerCase());
    if (!same) add('tally', 'not the sum of the ballots');
  }
  let tally: Ciphertext[];
  try {
    tally = board.tally.map((c) => [decodePoint(fromHex(c.alpha, 32), 'tally alpha'), decodePoint(fromHex(c.beta, 32), 'tally beta')]);
  } catch (e) {
    return stop('tally', msg(e));
  }
  if (tally.length !== n) return stop('tally', 'wrong number of slots');

  const factors = new Map<number, Point[]>();
  board.partials.forEach((p, i) => {
    try {
      const f = verifyPartial(ctx, q, tally, p);
      if (factors.has(p.member)) add(`partials[${i}]`, `member ${p.member} listed twice`);
      factors.set(p.member, f);
    } catch (e) {
      add(`partials[${i}]`, `member ${p.member}: ${msg(e)}`);
    }
  });
  if (board.result.length !== n) add('result', 'wrong number of slots');
  else if (problems.length === 0) {
    try {
      const points = combine(tally, factors, board.setup.threshold);
      points.forEach((p, i) => {
        const m = board.result[i]!;
        if (!Number.isSafeInteger(m) || m < 0 || !p.equals(mul(G, BigInt(m)))) add('result', `slot ${i}: the decryption is not ${m}`);
      });
    } catch (e) {
      add('partials', msg(e));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    fingerprint: toHex(ctx.fingerprint),
    ballots: board.ballots.length,
    result: board.result,
    qualified: q.dealers,
    decryptors: [...factors.keys()].sort((a, b) => a - b),
  };
}

/**
 * What a member's device does at the close: verify every ballot of the closed list (shape,
 * signature, proofs; one per credential, each registered), sum them itself, and only then
 * decrypt that sum. Never decrypt a tally handed over by someone else (one ballot presented as
 * "the tally" would be revealed), and decrypt once per vote (two sums differing by one ballot
 * reveal it). Returns the tally, to compare with the one published, and the partial decryption.
 */
export function partialDecryptBallots(
  ctx: VoteContext,
  share: KeyShare,
  ballots: Ballot[],
  registered: string[],
  rng: Rng = systemRng,
): { tally: Ciphertext[]; partial: PartialDecryption } {
  const known = new Set(registered.map((c) => c.toLowerCase()));
  const seen = new Map<string, number>();
  const cts = ballots.map((b, i) => {
    const cred = toHex(b.credential);
    if (!known.has(cred)) fail(`ballot ${i}: credential not registered`);
    const first = seen.get(cred);
    if (first !== undefined) fail(`ballot ${i}: credential already used by ballot ${first}`);
    seen.set(cred, i);
    try {
      // Fresh weights from the platform, whatever `rng` is (it only draws the proof's nonces).
      return verifyBallot(ctx, b, systemRng);
    } catch (e) {
      return fail(`ballot ${i}: ${msg(e)}`);
    }
  });
  const tally = sumCiphertexts(slots(ctx.vote.question), cts);
  return { tally, partial: partialDecrypt(ctx, share, tally, rng) };
}

/** Whether a tracker (full hex, or the short code) is on the board: the delegate's check. */
export function findTracker(board: Board, tracker: string): boolean {
  const t = tracker.trim().toLowerCase();
  const short = (hex: string) => {
    const b = toBase32(fromHex(hex, 32));
    return `${b.slice(0, 5)}-${b.slice(5, 10)}`.toLowerCase();
  };
  return board.ballots.some((b) => b.tracker.toLowerCase() === t || short(b.tracker) === t);
}

