/**
 * The counting board's side in TypeScript: bad DKG messages, envelopes and complaints are
 * refused or ignored as the design says; partial decryptions are checked; discrete logs and
 * Lagrange coefficients refuse what they must.
 */
import { describe, expect, it } from 'vitest';
import {
  type DealerMessage,
  checkDealer,
  discreteLogs,
  election,
  generateCredential,
  jointKey,
  lagrangeAtZero,
  newDealer,
  openEnvelope,
  partialDecrypt,
  qualify,
  receiveShare,
  seededRng,
  shareEnvelope,
  toHex,
  verifyPartial,
  voteContext,
  type BoardSetup,
  castBallot,
  decodeBallot,
  motion,
  partialDecryptBallots,
} from '../src/ballot';
import { G, mul } from '../src/ballot/group';
import { runDkg } from '../src/ballot/testkit';

const rng = seededRng('ballot-dkg.test');
const keys = Array.from({ length: 4 }, () => generateCredential(rng));
const setup: BoardSetup = { board_id: 'dkg', threshold: 2, members: keys.map((k, i) => ({ index: i + 1, key: toHex(k.public) })) };
const d1 = newDealer(setup, 1, keys[0]!, rng);
const d2 = newDealer(setup, 2, keys[1]!, rng);
const d3 = newDealer(setup, 3, keys[2]!, rng);
const copy = (m: DealerMessage): DealerMessage => JSON.parse(JSON.stringify(m)) as DealerMessage;

describe('DKG inputs', () => {
  it('refuses bad setups and someone else\'s key', () => {
    expect(() => newDealer({ ...setup, threshold: 5 }, 1, keys[0]!, rng)).toThrow(/threshold/);
    expect(() => newDealer({ ...setup, threshold: 0 }, 1, keys[0]!, rng)).toThrow(/threshold/);
    expect(() => newDealer(setup, 1, keys[1]!, rng)).toThrow(/registered key/);
  });
  it('refuses changed dealer messages', () => {
    expect(checkDealer(setup, d1.message)).toHaveLength(2);
    const swapped = copy(d1.message);
    swapped.commitments.reverse();
    expect(() => checkDealer(setup, swapped)).toThrow(/signature/);
    const short = copy(d1.message);
    short.commitments.pop();
    expect(() => checkDealer(setup, short)).toThrow();
    const other = copy(d1.message);
    other.dealer = 2;
    expect(() => checkDealer(setup, other)).toThrow();
  });
  it('checks envelopes: recipient, sender, signature, board, length', () => {
    const env = shareEnvelope(d1.dealer, 2, keys[0]!);
    expect(receiveShare(setup, d1.message, 2, env)).toBeTypeOf('bigint');
    expect(() => receiveShare(setup, d1.message, 3, env)).toThrow(/envelope from 1 to 2/);
    expect(() => receiveShare(setup, d2.message, 2, env)).toThrow(/envelope from 1 to 2/);
    const bad = env.slice();
    bad[40]! ^= 1;
    expect(() => openEnvelope(setup, bad)).toThrow(/signature/);
    expect(() => openEnvelope(setup, env.slice(0, -1))).toThrow(/length/);
    expect(() => openEnvelope({ ...setup, board_id: 'other' }, env)).toThrow(/another board/);
  });
  it('ignores a false complaint and excludes a dealer with two different signed messages', () => {
    const env = shareEnvelope(d1.dealer, 2, keys[0]!);
    const q = qualify(setup, {
      dealers: [d1.message, d2.message, d3.message, newDealer(setup, 3, keys[2]!, rng).message],
      complaints: [{ accuser: 2, envelope: toHex(env) }],
    });
    expect(q.dealers).toEqual([1, 2]);
    expect(q.ignoredComplaints).toHaveLength(1);
    expect(q.excluded).toEqual([[3, 'more than one message']]);
    expect(qualify(setup, { dealers: [d1.message, d2.message], complaints: [{ accuser: 3, envelope: toHex(env) }] }).ignoredComplaints).toHaveLength(1);
    expect(() => qualify(setup, { dealers: [d1.message], complaints: [] })).toThrow(/not enough/);
  });
});

describe('decryption inputs', () => {
  const sim = runDkg(rng, 'dec', 5, 3);
  const ctx = voteContext(sim.setup, { vote_id: 'd', question: election(2, 1) }, jointKey(sim.qualified).toBytes());
  const tally: [ReturnType<typeof mul>, ReturnType<typeof mul>][] = [0, 1, 2].map((k) => [mul(G, BigInt(k + 3)), mul(G, BigInt(k + 7))]);
  const p2 = partialDecrypt(ctx, sim.shares.get(2)!, tally, rng);

  it('checks partial decryptions', () => {
    expect(verifyPartial(ctx, sim.qualified, tally, p2)).toHaveLength(3);
    expect(() => verifyPartial(ctx, sim.qualified, tally, { ...p2, member: 3 })).toThrow(/decryption proof/);
    expect(() => verifyPartial(ctx, sim.qualified, tally, { ...p2, member: 9 })).toThrow(/member 9/);
    expect(() => verifyPartial(ctx, sim.qualified, tally, { ...p2, factors: p2.factors.slice(1) })).toThrow(/length/);
    const badScalar = { ...p2, proofs: [{ c: 'ff'.repeat(32), s: p2.proofs[0]!.s }, ...p2.proofs.slice(1)] };
    expect(() => verifyPartial(ctx, sim.qualified, tally, badScalar)).toThrow(/canonical scalar/);
    const badPoint = { ...p2, factors: ['ff'.repeat(32), ...p2.factors.slice(1)] };
    expect(() => verifyPartial(ctx, sim.qualified, tally, badPoint)).toThrow(/canonical ristretto255/);
    const other = voteContext(sim.setup, { vote_id: 'd2', question: election(2, 1) }, jointKey(sim.qualified).toBytes());
    expect(() => verifyPartial(other, sim.qualified, tally, p2)).toThrow(/decryption proof/);
  });
  it('Lagrange and discrete logs refuse what they must', () => {
    expect(() => lagrangeAtZero([1, 1])).toThrow(/distinct/);
    expect(() => lagrangeAtZero([0, 1])).toThrow(/distinct/);
    const pts = [0, 1, 57, 2000].map((k) => mul(G, BigInt(k)));
    expect(discreteLogs(pts, 2000)).toEqual([0, 1, 57, 2000]);
    expect(() => discreteLogs(pts, 1999)).toThrow(/bound/);
  });
});

describe('a forged dealer message', () => {
  it('does not exclude the honest dealer (as a second message or in front of the real one)', () => {
    const forged = copy(d3.message);
    forged.commitments[1] = d1.message.commitments[1]!;
    expect(() => checkDealer(setup, forged)).toThrow(/signature/);
    for (const dealers of [
      [d1.message, d2.message, d3.message, forged],
      [forged, d1.message, d2.message, d3.message],
    ]) {
      const q = qualify(setup, { dealers, complaints: [] });
      expect(q.dealers).toEqual([1, 2, 3]);
      expect(q.excluded).toEqual([]);
    }
    // Relayed twice: one message.
    expect(qualify(setup, { dealers: [d1.message, d2.message, d3.message, d3.message], complaints: [] }).dealers).toEqual([1, 2, 3]);
    // Two different messages signed by dealer 3: an equivocation.
    const again = newDealer(setup, 3, keys[2]!, rng).message;
    const q = qualify(setup, { dealers: [d1.message, d2.message, d3.message, again], complaints: [] });
    expect(q.dealers).toEqual([1, 2]);
    expect(q.excluded).toEqual([[3, 'more than one message']]);
  });
});

describe('an envelope of another polynomial of the same dealer', () => {
  it('frames nobody: the complaint is ignored, the recipient is told to ask again', () => {
    // Dealer 1 dealt again under the same setup; only the second message is on the transcript.
    const again = newDealer(setup, 1, keys[0]!, rng);
    const old = shareEnvelope(d1.dealer, 2, keys[0]!);
    expect(() => receiveShare(setup, again.message, 2, old)).toThrow(/other commitments/);
    expect(receiveShare(setup, again.message, 2, shareEnvelope(again.dealer, 2, keys[0]!))).toBeTypeOf('bigint');
    const q = qualify(setup, { dealers: [again.message, d2.message, d3.message], complaints: [{ accuser: 2, envelope: toHex(old) }] });
    expect(q.dealers).toEqual([1, 2, 3]);
    expect(q.ignoredComplaints).toHaveLength(1);
  });
});

describe('the board setup', () => {
  it('refuses one device key for two members, and a weak member key', () => {
    expect(() => newDealer({ ...setup, members: setup.members.map((m, i) => (i === 3 ? { ...m, key: setup.members[0]!.key } : m)) }, 1, keys[0]!, rng)).toThrow(
      /same key/,
    );
    const identity = '01' + '00'.repeat(31);
    expect(() => newDealer({ ...setup, members: setup.members.map((m, i) => (i === 1 ? { ...m, key: identity } : m)) }, 1, keys[0]!, rng)).toThrow(/public key/);
  });
});

describe("a member's decryption", () => {
  it('verifies and sums the ballots itself: a repeated, unregistered or bad ballot is refused', () => {
    const sim = runDkg(rng, 'member', 5, 3);
    const ctx = voteContext(sim.setup, { vote_id: 'md', question: motion() }, jointKey(sim.qualified).toBytes());
    const voters = [0, 1, 2].map(() => generateCredential(rng));
    const ballots = voters.map((v, i) => castBallot(ctx, v, { options: [i] }, rng));
    const registered = voters.map((v) => toHex(v.public));
    const share = sim.shares.get(1)!;
    const { tally, partial } = partialDecryptBallots(ctx, share, ballots, registered, rng);
    expect(verifyPartial(ctx, sim.qualified, tally, partial)).toHaveLength(4);
    expect(() => partialDecryptBallots(ctx, share, [ballots[0]!, ballots[1]!, ballots[0]!], registered, rng)).toThrow(/ballot 2: credential already used/);
    expect(() => partialDecryptBallots(ctx, share, ballots, registered.slice(1), rng)).toThrow(/ballot 0: credential not registered/);
    const bytes = ballots[2]!.bytes.slice();
    bytes[bytes.length - 1]! ^= 1;
    expect(() => partialDecryptBallots(ctx, share, [ballots[0]!, ballots[1]!, decodeBallot(bytes)], registered, rng)).toThrow(/ballot 2: signature/);
  });
});
