/**
 * A whole ceremony in one process (the TypeScript twin of the Rust `testkit`): a simulated
 * board's DKG (optionally with a cheating dealer), ballots, tally, partial decryptions and the
 * published board. For tests and the test-vector generator; deterministic under `seededRng`.
 */

import { castBallot, decodeBallot, trackerOf, type Selection } from './ballot';
import { type BoardSetup, type VoteParams, voteContext } from './params';
import { type Credential, generateCredential, sign } from './credential';
import { Writer, compareBytes, fromHex, toHex } from './encoding';
import { type Rng, TAG_DKG_SHARE, scalarBytes, signedMessage, decodeScalar } from './group';
import {
  type DkgTranscript,
  type KeyShare,
  type Qualified,
  combineShares,
  jointKey,
  newDealer,
  qualify,
  receiveShare,
  shareEnvelope,
} from './dkg';
import { type Ciphertext, combine, discreteLogs, verifyPartial } from './decrypt';
import { BOARD_VERSION, type Board, boardBallot, partialDecryptBallots, sumCiphertexts, wireCiphertext } from './board';
import { ballotCiphertexts } from './ballot';

export interface SimBoard {
  setup: BoardSetup;
  transcript: DkgTranscript;
  qualified: Qualified;
  shares: Map<number, KeyShare>;
}

export function runDkg(rng: Rng, boardId: string, n: number, t: number, cheat?: [number, number]): SimBoard {
  const keys: Credential[] = Array.from({ length: n }, () => generateCredential(rng));
  const setup: BoardSetup = {
    board_id: boardId,
    threshold: t,
    members: keys.map((k, i) => ({ index: i + 1, key: toHex(k.public) })),
  };
  const dealers = keys.map((k, i) => newDealer(setup, i + 1, k, rng));
  const transcript: DkgTranscript = { dealers: dealers.map((d) => d.message), complaints: [] };
  const received = new Map<number, Map<number, bigint>>();
  dealers.forEach(({ dealer }, di) => {
    for (let to = 1; to <= n; to++) {
      let env = shareEnvelope(dealer, to, keys[di]!);
      if (cheat && cheat[0] === di + 1 && cheat[1] === to) {
        const body = env.slice(0, 101);
        body.set(scalarBytes(decodeScalar(body.slice(69, 101), 's') + 1n), 69);
        env = new Writer().raw(body).raw(sign(keys[di]!, signedMessage(TAG_DKG_SHARE, body))).finish();
      }
      try {
        const s = receiveShare(setup, transcript.dealers[di]!, to, env);
        if (!received.has(to)) received.set(to, new Map());
        received.get(to)!.set(di + 1, s);
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('share does not match')) throw e;
        transcript.complaints.push({ accuser: to, envelope: toHex(env) });
      }
    }
  });
  const qualified = qualify(setup, transcript);
  const shares = new Map<number, KeyShare>();
  for (const [to, got] of received) {
    try {
      shares.set(to, combineShares(qualified, to, got));
    } catch {
      /* a member missing a share has none */
    }
  }
  return { setup, transcript, qualified, shares };
}

export function runVote(
  rng: Rng,
  sim: SimBoard,
  vote: VoteParams,
  selections: Selection[],
  extraRegistered: number,
  decryptors: number[],
): { board: Board; voters: Credential[] } {
  const joint = jointKey(sim.qualified).toBytes();
  const ctx = voteContext(sim.setup, vote, joint);
  const voters = Array.from({ length: selections.length + extraRegistered }, () => generateCredential(rng));
  const ballots = selections.map((s, i) => castBallot(ctx, voters[i]!, s, rng));
  ballots.sort((a, b) => compareBytes(fromHex(trackerOf(a.bytes).hash), fromHex(trackerOf(b.bytes).hash)));
  const n = ballots[0]?.ciphertexts.length ?? 0;
  const tally: Ciphertext[] = sumCiphertexts(n, ballots.map((b) => ballotCiphertexts(decodeBallot(b.bytes))));
  const registered = voters.map((v) => toHex(v.public));
  // As a member's device does: it verifies and sums the ballots itself.
  const partials = decryptors.map((d) => {
    const own = partialDecryptBallots(ctx, sim.shares.get(d)!, ballots, registered, rng);
    if (own.tally.some(([a, b], i) => !a.equals(tally[i]![0]) || !b.equals(tally[i]![1]))) throw new Error("the member's tally differs");
    return own.partial;
  });
  const factors = new Map(partials.map((p) => [p.member, verifyPartial(ctx, sim.qualified, tally, p)]));
  const result = discreteLogs(combine(tally, factors, sim.setup.threshold), ballots.length);
  const credentials = voters.map((v) => toHex(v.public)).sort();
  return {
    board: {
      version: BOARD_VERSION,
      setup: sim.setup,
      dkg: sim.transcript,
      joint_public_key: toHex(joint),
      vote,
      credentials,
      participation: ballots.length,
      ballots: ballots.map(boardBallot),
      tally: tally.map(wireCiphertext),
      partials,
      result,
    },
    voters,
  };
}
