/**
 * One encrypted ballot, byte-exact with the Rust crate: its canonical encoding, casting it on the
 * tablet (encrypt each slot, prove 0/1 per slot and [min, max] for the weighted marks, sign with
 * the credential), the tracker shown as the receipt, and verifying one ballot.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { type Credential, sign, verifySignature } from './credential';
import { Reader, Writer, bytesEqual, fail, toBase32, toHex } from './encoding';
import {
  G,
  type Point,
  type Rng,
  TAG_BALLOT_SIGNATURE,
  TAG_BIT,
  TAG_RANGE,
  challenge,
  decodePoint,
  mod,
  mul,
  randomScalar,
  signedMessage,
  systemRng,
  tagged,
} from './group';
import { MAX_SLOTS, type VoteContext, slots, weight } from './params';
import { type DisjunctiveProof, Msm, addToMsm, prove, readProof, writeCommitments, writeProof } from './proofs';

export const BALLOT_VERSION = 1;

/** What the voter marked: option indices (0-based; [] keeps nobody), or blank. */
export type Selection = { options: number[] } | { blank: true };

export interface Ballot {
  vote: Uint8Array;
  credential: Uint8Array;
  ciphertexts: [Uint8Array, Uint8Array][];
  bits: DisjunctiveProof[];
  range: DisjunctiveProof;
  signature: Uint8Array;
  /** The canonical bytes. */
  bytes: Uint8Array;
}

export interface Tracker {
  /** SHA-256 of the ballot's bytes, hex. */
  hash: string;
  /** First 10 base32 characters, as `ABCDE-FGHIJ`. */
  short: string;
}

export function trackerOf(bytes: Uint8Array): Tracker {
  const h = sha256(bytes);
  const b = toBase32(h);
  return { hash: toHex(h), short: `${b.slice(0, 5)}-${b.slice(5, 10)}` };
}

/** The 0/1 value of each slot, or an error if the selection is not allowed. */
export function selectionSlots(ctx: VoteContext, sel: Selection): number[] {
  const q = ctx.vote.question;
  const v = new Array<number>(slots(q)).fill(0);
  if ('blank' in sel) {
    if (!q.blank) fail('out of range: this question has no blank slot');
    v[q.options] = 1;
    return v;
  }
  for (const o of sel.options) {
    if (!Number.isInteger(o) || o < 0 || o >= q.options) fail(`out of range: option ${o}`);
    if (v[o] === 1) fail(`out of range: option ${o} marked twice`);
    v[o] = 1;
  }
  const n = sel.options.length;
  if (n < q.min || n > q.max) fail(`out of range: ${n} marks, allowed ${q.min}..=${q.max}`);
  return v;
}

export function bitChallenge(
  vote: Uint8Array,
  cred: Uint8Array,
  slot: number,
  ct: [Uint8Array, Uint8Array],
  com: [Uint8Array, Uint8Array][],
): bigint {
  const w = tagged(TAG_BIT).raw(vote).raw(cred).u32(slot).raw(ct[0]).raw(ct[1]);
  writeCommitments(com, w);
  return challenge(w);
}

export function rangeChallenge(
  ctx: VoteContext,
  cred: Uint8Array,
  cts: [Uint8Array, Uint8Array][],
  com: [Uint8Array, Uint8Array][],
): bigint {
  const q = ctx.vote.question;
  const w = tagged(TAG_RANGE).raw(ctx.fingerprint).raw(cred).u32(q.min).u32(q.max).u16(cts.length);
  for (const [a, b] of cts) w.raw(a).raw(b);
  writeCommitments(com, w);
  return challenge(w);
}

/** Everything but the signature. */
export function ballotBody(b: Omit<Ballot, 'signature' | 'bytes'>): Uint8Array {
  const w = new Writer().u8(BALLOT_VERSION).raw(b.vote).raw(b.credential).u16(b.ciphertexts.length);
  for (const [a, bb] of b.ciphertexts) w.raw(a).raw(bb);
  for (const p of b.bits) writeProof(p, w);
  w.u16(b.range.commitments.length);
  writeProof(b.range, w);
  return w.finish();
}

/**
 * Encrypts, proves and signs. `onProgress(done, total)` is called after each slot, for a
 * progress bar. `rng` defaults to the platform CSPRNG.
 */
export function castBallot(
  ctx: VoteContext,
  credential: Credential,
  selection: Selection,
  rng: Rng = systemRng,
  onProgress?: (done: number, total: number) => void,
): Ballot {
  const marks = selectionSlots(ctx, selection);
  const q = ctx.vote.question;
  const y: Point = ctx.key;
  const cred = credential.public;
  const rs = marks.map(() => randomScalar(rng));
  const cts: [Uint8Array, Uint8Array][] = marks.map((m, i) => {
    const r = rs[i]!;
    return [mul(G, r).toBytes(), mul(y, r).add(mul(G, BigInt(m))).toBytes()];
  });
  const total = marks.length + 1;
  const bits = marks.map((m, i) => {
    const p = prove(rng, y, rs[i]!, m, 0, 1, (com) => bitChallenge(ctx.fingerprint, cred, i, cts[i]!, com));
    onProgress?.(i + 1, total);
    return p;
  });
  let rSum = 0n;
  let mSum = 0;
  marks.forEach((m, i) => {
    rSum = mod(rSum + BigInt(weight(q, i)) * rs[i]!);
    mSum += weight(q, i) * m;
  });
  const range = prove(rng, y, rSum, mSum, q.min, q.max, (com) => rangeChallenge(ctx, cred, cts, com));
  onProgress?.(total, total);
  const unsigned = { vote: ctx.fingerprint, credential: cred, ciphertexts: cts, bits, range };
  const body = ballotBody(unsigned);
  const signature = sign(credential, signedMessage(TAG_BALLOT_SIGNATURE, body));
  const bytes = new Uint8Array(body.length + 64);
  bytes.set(body);
  bytes.set(signature, body.length);
  return { ...unsigned, signature, bytes };
}

/** Decodes the canonical bytes (lengths, counts, scalars; points are checked by verify). */
export function decodeBallot(bytes: Uint8Array): Ballot {
  const r = new Reader(bytes);
  const version = r.u8('ballot version');
  if (version !== BALLOT_VERSION) fail(`out of range: ballot version ${version}`);
  const vote = r.take(32, 'vote fingerprint');
  const credential = r.take(32, 'credential');
  const n = r.u16('slot count');
  if (n === 0 || n > MAX_SLOTS) fail(`out of range: ${n} slots`);
  const ciphertexts: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < n; i++) ciphertexts.push([r.take(32, 'alpha'), r.take(32, 'beta')]);
  const bits: DisjunctiveProof[] = [];
  for (let i = 0; i < n; i++) bits.push(readProof(r, 2));
  const m = r.u16('range branches');
  if (m === 0 || m > MAX_SLOTS + 1) fail(`out of range: ${m} range branches`);
  const range = readProof(r, m);
  const signature = r.take(64, 'signature');
  r.end('ballot');
  return { vote, credential, ciphertexts, bits, range, signature, bytes };
}

/** The ballot's ciphertexts as points. */
export function ballotCiphertexts(b: Ballot): [Point, Point][] {
  return b.ciphertexts.map(([a, bb]) => [decodePoint(a, 'alpha'), decodePoint(bb, 'beta')]);
}

/** Verifies one ballot completely; throws a BallotError saying why not. Returns its ciphertexts. */
export function verifyBallot(ctx: VoteContext, b: Ballot, rng: Rng = systemRng): [Point, Point][] {
  const q = ctx.vote.question;
  if (!bytesEqual(b.vote, ctx.fingerprint)) fail('ballot belongs to another vote');
  if (b.ciphertexts.length !== slots(q)) fail(`out of range: ${b.ciphertexts.length} slots, the question has ${slots(q)}`);
  if (b.range.commitments.length !== q.max - q.min + 1) fail('out of range: range branches');
  // The tracker and the stored bytes come from `bytes`: the fields checked must be exactly them.
  const body = ballotBody(b);
  if (b.bytes.length !== body.length + 64 || !bytesEqual(b.bytes.subarray(0, body.length), body) || !bytesEqual(b.bytes.subarray(body.length), b.signature))
    fail("invalid parameters: the ballot's fields are not its bytes (changed after decoding)");
  verifySignature(b.credential, signedMessage(TAG_BALLOT_SIGNATURE, body), b.signature);
  const cts = ballotCiphertexts(b);
  const msm = new Msm(rng);
  const ca = cts.map(() => 0n);
  const cb = cts.map(() => 0n);
  b.bits.forEach((p, i) => {
    const c = bitChallenge(b.vote, b.credential, i, b.ciphertexts[i]!, p.commitments);
    const [x, y] = addToMsm(msm, p, c, 0);
    ca[i] = mod(ca[i]! + x);
    cb[i] = mod(cb[i]! + y);
  });
  const c = rangeChallenge(ctx, b.credential, b.ciphertexts, b.range.commitments);
  const [x, y] = addToMsm(msm, b.range, c, q.min);
  cts.forEach(([alpha, beta], i) => {
    const w = BigInt(weight(q, i));
    msm.push(ca[i]! + x * w, alpha);
    msm.push(cb[i]! + y * w, beta);
  });
  if (!msm.holds(ctx.key)) fail('proof does not verify: ballot proofs');
  return cts;
}
