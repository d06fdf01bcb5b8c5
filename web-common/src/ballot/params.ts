/**
 * What a vote is: the counting board's setup, the question (options, blank slot, [min, max]
 * marks, the blank slot weighing `max`), and the fingerprints binding every proof to one vote.
 */

import { checkPublicKey } from './credential';
import { fail, fromHex } from './encoding';
import { TAG_SETUP, TAG_VOTE, decodeKey, fingerprint, tagged, type Point } from './group';

export const MAX_SLOTS = 1024;

export interface Member {
  index: number;
  /** Ed25519 public key of the member's device, hex. */
  key: string;
}

export interface BoardSetup {
  board_id: string;
  threshold: number;
  members: Member[];
}

export interface Question {
  options: number;
  blank: boolean;
  min: number;
  max: number;
}

export interface VoteParams {
  vote_id: string;
  question: Question;
}

export const motion = (): Question => ({ options: 3, blank: true, min: 1, max: 1 });
export const choice = (options: number): Question => ({ options, blank: true, min: 1, max: 1 });
export const election = (candidates: number, seats: number): Question => ({
  options: candidates,
  blank: true,
  min: 0,
  max: seats,
});

export function slots(q: Question): number {
  return q.options + (q.blank ? 1 : 0);
}

/** Weight of a slot in the range proof: 1 per option, `max` for blank. */
export function weight(q: Question, slot: number): number {
  return slot < q.options ? 1 : q.max;
}

const utf8Len = (s: string) => new TextEncoder().encode(s).length;

export function checkSetup(s: BoardSetup): void {
  const n = s.members.length;
  if (n === 0 || n > 255) fail(`invalid parameters: board of ${n} members`);
  if (!Number.isInteger(s.threshold) || s.threshold < 1 || s.threshold > n) fail(`invalid parameters: threshold ${s.threshold} of ${n}`);
  if (utf8Len(s.board_id) > 255) fail('invalid parameters: board id too long');
  const keys = new Set<string>();
  s.members.forEach((m, i) => {
    if (m.index !== i + 1) fail(`invalid parameters: member ${m.index} at position ${i + 1}`);
    const key = fromHex(m.key, 32);
    // One device, one share: a key listed twice would hold two shares.
    if (keys.has(m.key.toLowerCase())) fail(`invalid parameters: member ${m.index} has the same key as another member`);
    keys.add(m.key.toLowerCase());
    try {
      checkPublicKey(key);
    } catch (e) {
      fail(`invalid parameters: member ${m.index}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

export function checkQuestion(q: Question): void {
  const ints = [q.options, q.min, q.max].every((x) => Number.isInteger(x) && x >= 0);
  if (!ints || q.options === 0 || slots(q) > MAX_SLOTS) fail(`invalid parameters: ${q.options} options`);
  if (q.max === 0 || q.min > q.max || q.max > q.options) fail(`invalid parameters: marks in [${q.min}, ${q.max}]`);
}

export function memberKey(s: BoardSetup, index: number): Uint8Array {
  const m = s.members[index - 1];
  if (!m || m.index !== index) fail(`out of range: member ${index}`);
  return fromHex(m.key, 32);
}

export function setupFingerprint(s: BoardSetup): Uint8Array {
  const w = tagged(TAG_SETUP).str(s.board_id).u16(s.members.length).u16(s.threshold);
  for (const m of s.members) w.u16(m.index).raw(fromHex(m.key, 32));
  return fingerprint(w);
}

/** Setup, vote and joint key, with the vote's fingerprint and a precomputed key table. */
export interface VoteContext {
  setup: BoardSetup;
  vote: VoteParams;
  keyBytes: Uint8Array;
  key: Point;
  fingerprint: Uint8Array;
}

export function voteContext(setup: BoardSetup, vote: VoteParams, jointKey: Uint8Array): VoteContext {
  checkSetup(setup);
  checkQuestion(vote.question);
  if (utf8Len(vote.vote_id) > 255) fail('invalid parameters: vote id too long');
  const key = decodeKey(jointKey, 'public key');
  key.precompute(8, false);
  const q = vote.question;
  const w = tagged(TAG_VOTE)
    .raw(setupFingerprint(setup))
    .str(vote.vote_id)
    .u32(q.options)
    .u8(q.blank ? 1 : 0)
    .u32(q.min)
    .u32(q.max)
    .raw(jointKey);
  return { setup, vote, keyBytes: jointKey, key, fingerprint: fingerprint(w) };
}
