/**
 * The counting board's key generation (Pedersen DKG with Feldman commitments): a member's dealer
 * step (polynomial, signed commitments, proof of knowledge of a_0), signed share envelopes to be
 * age-encrypted to each recipient, checking a received share (or complaining), the qualified
 * set, the joint key, verification keys, and the member's key share.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { type Credential, sign, verifySignature } from './credential';
import { Reader, Writer, bytesEqual, fail, fromHex, toHex } from './encoding';
import {
  G,
  type Point,
  type Rng,
  TAG_DKG_COMMITMENTS,
  TAG_DKG_SHARE,
  TAG_POK,
  ZERO,
  challenge,
  decodeKey,
  decodeScalar,
  mod,
  mul,
  mulVartime,
  randomScalar,
  scalarBytes,
  signedMessage,
  systemRng,
  tagged,
} from './group';
import { type BoardSetup, checkSetup, memberKey, setupFingerprint } from './params';

export interface ChallengeResponse {
  c: string;
  s: string;
}

export interface DealerMessage {
  dealer: number;
  commitments: string[];
  pok: ChallengeResponse;
  signature: string;
}

export interface Complaint {
  accuser: number;
  /** The signed envelope received, hex. */
  envelope: string;
}

export interface DkgTranscript {
  dealers: DealerMessage[];
  complaints: Complaint[];
}

export function pokChallenge(setupFp: Uint8Array, dealer: number, c0: Point, r: Point): bigint {
  return challenge(tagged(TAG_POK).raw(setupFp).u16(dealer).raw(c0.toBytes()).raw(r.toBytes()));
}

function commitmentsMessage(setupFp: Uint8Array, m: DealerMessage): Uint8Array {
  const w = new Writer().raw(setupFp).u16(m.dealer).u16(m.commitments.length);
  for (const c of m.commitments) w.raw(fromHex(c, 32));
  w.raw(fromHex(m.pok.c, 32)).raw(fromHex(m.pok.s, 32));
  return signedMessage(TAG_DKG_COMMITMENTS, w.finish());
}

/** SHA-256 of the message a dealer signs over its commitments: what its envelopes name. */
function dealerFingerprint(setupFp: Uint8Array, m: DealerMessage): Uint8Array {
  return sha256(commitmentsMessage(setupFp, m));
}

/** A dealer's secret polynomial; keep it only until the envelopes are sent. */
export interface Dealer {
  index: number;
  setupFp: Uint8Array;
  /** SHA-256 of the signed commitments message (named in every envelope). */
  messageFp: Uint8Array;
  coefficients: bigint[];
}

export function evaluate(d: Dealer, j: number): bigint {
  const x = BigInt(j);
  return d.coefficients.reduceRight((acc, a) => mod(acc * x + a), 0n);
}

/** Step 1 of a member: draw the polynomial and make the signed public message. */
export function newDealer(setup: BoardSetup, index: number, key: Credential, rng: Rng = systemRng): { dealer: Dealer; message: DealerMessage } {
  checkSetup(setup);
  if (!bytesEqual(memberKey(setup, index), key.public)) fail("invalid parameters: signing key is not the member's registered key");
  const setupFp = setupFingerprint(setup);
  const coefficients = Array.from({ length: setup.threshold }, () => randomScalar(rng));
  const points = coefficients.map((a) => mul(G, a));
  const w = randomScalar(rng);
  const c = pokChallenge(setupFp, index, points[0]!, mul(G, w));
  const s = mod(w + c * coefficients[0]!);
  const message: DealerMessage = {
    dealer: index,
    commitments: points.map((p) => toHex(p.toBytes())),
    pok: { c: toHex(scalarBytes(c)), s: toHex(scalarBytes(s)) },
    signature: '',
  };
  message.signature = toHex(sign(key, commitmentsMessage(setupFp, message)));
  return { dealer: { index, setupFp, messageFp: dealerFingerprint(setupFp, message), coefficients }, message };
}

/** The signed envelope carrying f(to); encrypt it to the recipient's age identity. */
export function shareEnvelope(d: Dealer, to: number, key: Credential): Uint8Array {
  const body = new Writer().u8(1).raw(d.setupFp).u16(d.index).u16(to).raw(d.messageFp).raw(scalarBytes(evaluate(d, to))).finish();
  return new Writer().raw(body).raw(sign(key, signedMessage(TAG_DKG_SHARE, body))).finish();
}

export interface Envelope {
  from: number;
  to: number;
  /** SHA-256 of the dealer's signed commitments message the share belongs to. */
  commitments: Uint8Array;
  share: bigint;
}

export function openEnvelope(setup: BoardSetup, bytes: Uint8Array): Envelope {
  const r = new Reader(bytes);
  if (r.u8('envelope version') !== 1) fail('out of range: envelope version');
  if (!bytesEqual(r.take(32, 'setup fingerprint'), setupFingerprint(setup))) fail('invalid parameters: envelope for another board');
  const from = r.u16('from');
  const to = r.u16('to');
  const commitments = r.take(32, 'commitments fingerprint');
  const share = decodeScalar(r.take(32, 'share'), 'share');
  const sig = r.take(64, 'envelope signature');
  r.end('envelope');
  memberKey(setup, to);
  verifySignature(memberKey(setup, from), signedMessage(TAG_DKG_SHARE, bytes.subarray(0, bytes.length - 64)), sig);
  return { from, to, commitments, share };
}

/** Whether the message is signed by the member it names (if not, it proves nothing about that member). */
function checkDealerSignature(setup: BoardSetup, setupFp: Uint8Array, m: DealerMessage): void {
  verifySignature(memberKey(setup, m.dealer), commitmentsMessage(setupFp, m), fromHex(m.signature, 64));
}

/** The content of a message signed by its dealer: t commitments, none the identity, proof of knowledge. */
function checkDealerContent(setup: BoardSetup, setupFp: Uint8Array, m: DealerMessage): Point[] {
  if (m.commitments.length !== setup.threshold) fail(`out of range: ${m.commitments.length} commitments`);
  const points = m.commitments.map((c) => decodeKey(fromHex(c, 32), 'commitment'));
  const c = decodeScalar(fromHex(m.pok.c, 32), 'proof challenge');
  const s = decodeScalar(fromHex(m.pok.s, 32), 'proof response');
  const r = mulVartime(G, s).subtract(mulVartime(points[0]!, c));
  if (pokChallenge(setupFp, m.dealer, points[0]!, r) !== c) fail('proof does not verify: proof of knowledge');
  return points;
}

/** Checks a dealer's message; returns its commitments. */
export function checkDealer(setup: BoardSetup, m: DealerMessage): Point[] {
  const setupFp = setupFingerprint(setup);
  checkDealerSignature(setup, setupFp, m);
  return checkDealerContent(setup, setupFp, m);
}

function evalCommitments(cs: Point[], j: number): Point {
  const x = BigInt(j);
  return cs.reduceRight((acc: Point, c) => mulVartime(acc, x).add(c), ZERO);
}

/** A member checks a received envelope; a share that fails with 'bad share' must be complained about. */
export function receiveShare(setup: BoardSetup, dealer: DealerMessage, me: number, envelope: Uint8Array): bigint {
  const cs = checkDealer(setup, dealer);
  const e = openEnvelope(setup, envelope);
  if (e.from !== dealer.dealer || e.to !== me) fail(`invalid parameters: envelope from ${e.from} to ${e.to}`);
  if (!bytesEqual(e.commitments, dealerFingerprint(setupFingerprint(setup), dealer)))
    fail(`invalid parameters: envelope for other commitments of dealer ${e.from}`);
  if (!mul(G, e.share).equals(evalCommitments(cs, me))) fail("share does not match the dealer's commitments");
  return e.share;
}

export interface Qualified {
  dealers: number[];
  excluded: [number, string][];
  ignoredComplaints: [number, string][];
  /** Messages not signed by the dealer they name (by position): they prove nothing about it. */
  ignoredMessages: [number, string][];
  aggregate: Point[];
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** QUAL from the public transcript: one valid message and no valid complaint; at least t. */
export function qualify(setup: BoardSetup, t: DkgTranscript): Qualified {
  checkSetup(setup);
  const setupFp = setupFingerprint(setup);
  // Only messages signed by their dealer are the dealer's: one the relay made up is ignored. The
  // same signed message twice is one message; two different signed ones are an equivocation.
  const signed = new Map<number, Uint8Array[]>();
  const byDealer = new Map<number, DealerMessage>();
  const ignoredMessages: [number, string][] = [];
  t.dealers.forEach((m, k) => {
    try {
      checkDealerSignature(setup, setupFp, m);
    } catch (e) {
      ignoredMessages.push([k, msg(e)]);
      return;
    }
    const body = commitmentsMessage(setupFp, m);
    const seen = signed.get(m.dealer) ?? [];
    if (seen.every((b) => !bytesEqual(b, body))) seen.push(body);
    signed.set(m.dealer, seen);
    if (!byDealer.has(m.dealer)) byDealer.set(m.dealer, m);
  });
  const good = new Map<number, Point[]>();
  const goodFp = new Map<number, Uint8Array>();
  const excluded = new Map<number, string>();
  for (const [dealer, bodies] of signed) {
    if (bodies.length > 1) {
      excluded.set(dealer, 'more than one message');
      continue;
    }
    try {
      const m = byDealer.get(dealer)!;
      good.set(dealer, checkDealerContent(setup, setupFp, m));
      goodFp.set(dealer, dealerFingerprint(setupFp, m));
    } catch (e) {
      excluded.set(dealer, `message: ${msg(e)}`);
    }
  }
  const ignored: [number, string][] = [];
  t.complaints.forEach((c, k) => {
    try {
      const e = openEnvelope(setup, fromHex(c.envelope));
      if (e.to !== c.accuser) fail('envelope is not addressed to the accuser');
      const cs = good.get(e.from);
      if (!cs) fail(`dealer ${e.from} not in play`);
      if (!bytesEqual(e.commitments, goodFp.get(e.from)!)) fail('envelope for other commitments of this dealer');
      if (mul(G, e.share).equals(evalCommitments(cs, e.to))) fail('the share is correct');
      good.delete(e.from);
      excluded.set(e.from, `valid complaint by member ${c.accuser}`);
    } catch (e) {
      ignored.push([k, msg(e)]);
    }
  });
  if (good.size < setup.threshold) fail(`not enough: ${good.size} qualified dealers, threshold ${setup.threshold}`);
  const aggregate: Point[] = Array.from({ length: setup.threshold }, () => ZERO);
  for (const cs of good.values()) cs.forEach((c, k) => (aggregate[k] = aggregate[k]!.add(c)));
  if (aggregate[0]!.is0()) fail('identity element not allowed: joint public key');
  return {
    dealers: [...good.keys()].sort((a, b) => a - b),
    excluded: [...excluded.entries()].sort((a, b) => a[0] - b[0]),
    ignoredComplaints: ignored,
    ignoredMessages,
    aggregate,
  };
}

export function jointKey(q: Qualified): Point {
  return q.aggregate[0]!;
}

export function verificationKey(q: Qualified, j: number): Point {
  return evalCommitments(q.aggregate, j);
}

export interface KeyShare {
  index: number;
  secret: bigint;
}

/** Sums the shares from every qualified dealer and checks the result against the verification key. */
export function combineShares(q: Qualified, index: number, shares: Map<number, bigint>): KeyShare {
  let secret = 0n;
  for (const d of q.dealers) {
    const s = shares.get(d);
    if (s === undefined) fail(`not enough: no share from dealer ${d}`);
    secret = mod(secret + s);
  }
  if (!mul(G, secret).equals(verificationKey(q, index))) fail("share does not match the dealer's commitments");
  return { index, secret };
}
