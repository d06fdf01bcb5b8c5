import { describe, expect, it } from 'vitest';
import { addHead, headsFile, loadHeads, mismatches, HEADS_KEY } from '../src/witness';
import { MemoryKV } from '../src/storage';
import type { JournalHead, WitnessAnswer } from '../src/protocol';

const head = (seq: number, c: string): JournalHead => ({ seq, hash: c.repeat(64) });

describe('witness heads', () => {
  it('keeps the most recent distinct seqs, sorted, and ignores malformed heads', () => {
    let heads: JournalHead[] = [];
    for (let s = 1; s <= 20; s++) heads = addHead(heads, head(s, 'a'));
    heads = addHead(heads, head(20, 'b'));
    heads = addHead(heads, { seq: 21, hash: 'not hex' });
    expect(heads.length).toBe(16);
    expect(heads[0]!.seq).toBe(5);
    expect(heads[15]).toEqual(head(20, 'b'));
  });

  it('compares for itself whatever the server says matches', () => {
    const mine = [head(3, 'a'), head(7, 'b'), head(9, 'c')];
    const answer: WitnessAnswer = {
      ok: true,
      heads: [
        { seq: 3, hash: 'a'.repeat(64), server_hash: 'a'.repeat(64), matches: true },
        // A lying server: "matches", with another hash.
        { seq: 7, hash: 'b'.repeat(64), server_hash: 'd'.repeat(64), matches: true },
        // Seq 9 left out of the answer.
      ],
    };
    expect(mismatches(mine, answer).map((h) => h.seq)).toEqual([7, 9]);
    const truncated: WitnessAnswer = {
      ok: false,
      heads: [{ seq: 3, hash: 'a'.repeat(64), server_hash: null, matches: false }],
    };
    expect(mismatches([head(3, 'a')], truncated).map((h) => h.seq)).toEqual([3]);
  });

  it('exports the heads file verify --witness reads', () => {
    const kv = new MemoryKV();
    kv.setItem(HEADS_KEY, JSON.stringify([head(2, 'e'), { seq: 'x' }]));
    expect(loadHeads(kv)).toEqual([head(2, 'e')]);
    expect(JSON.parse(headsFile(kv))).toEqual([head(2, 'e')]);
  });
});
