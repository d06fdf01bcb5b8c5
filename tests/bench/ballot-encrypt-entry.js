// The bundle that `ballot-encrypt.mjs` builds with vite and runs twice: in a module Worker in
// headless Chromium (as tablet-app/src/encrypt-worker.ts does) and imported in Node (the
// baseline). `encryptOne` is the timed work, the same in both; the rest sets up a counting board
// and checks what came out, in Node only.

import {
  castBallot,
  credentialFromSeed,
  decodeBallot,
  election,
  fromBase64,
  fromHex,
  jointKey,
  motion,
  seededRng,
  toBase64,
  toHex,
  trackerOf,
  verifyBallot,
  voteContext,
  sumCiphertexts,
  partialDecrypt,
  verifyPartial,
  combine,
  discreteLogs,
} from '@congress/web-common/ballot';
import { runDkg } from '../../web-common/src/ballot/testkit.ts';

/** The questions: the 60-candidate election keeping at most 53, and a secret motion. */
export const QUESTIONS = { election: election(60, 53), motion: motion() };

/**
 * A counting board (3 of 5, a real DKG from a fixed seed), the two votes' parameters and one
 * voter's credential seed: what the tablet receives (`voteParams` in tablet-app/src/secret.ts).
 */
export function prepare(label) {
  const rng = seededRng(`bench ballot-encrypt ${label}`);
  const sim = runDkg(rng, `bench/${label}`, 5, 3);
  const seed = toHex(rng(32));
  return {
    sim,
    setup: sim.setup,
    jointKey: toHex(jointKey(sim.qualified).toBytes()),
    seed,
    credential: toHex(credentialFromSeed(fromHex(seed, 32)).public),
    votes: Object.fromEntries(Object.entries(QUESTIONS).map(([kind, question]) => [kind, { vote_id: `bench/${label}/${kind}`, question }])),
  };
}

/**
 * One ballot as the tablet's worker makes it: the vote's context from its parameters, the
 * credential from its seed, encrypt + prove every slot + the range proof + sign, the tracker and
 * the base64 sent to the server. Returns the time taken (ms) and what would be sent.
 */
export function encryptOne({ setup, vote, jointKey: key, seed, selection }) {
  let progress = 0;
  const t0 = performance.now();
  const ctx = voteContext(setup, vote, fromHex(key, 32));
  const b = castBallot(ctx, credentialFromSeed(fromHex(seed, 32)), selection, undefined, (done) => {
    progress = done;
  });
  const tracker = trackerOf(b.bytes);
  const ballot = toBase64(b.bytes);
  const ms = performance.now() - t0;
  return { ms, ballot, tracker: tracker.hash, progress, slots: b.ciphertexts.length };
}

/**
 * Checks the ballots of one vote completely: each decodes, is for this vote, carries the voter's
 * credential, has the tracker it was reported with and verifies (signature and every proof); then
 * the board's key shares decrypt their sum (3 partial decryptions, each verified) to exactly the
 * per-slot counts of the selections. Throws on any difference; returns the counts.
 */
export function checkVote(prep, kind, produced, selections) {
  const ctx = voteContext(prep.setup, prep.votes[kind], fromHex(prep.jointKey, 32));
  const q = ctx.vote.question;
  const n = q.options + (q.blank ? 1 : 0);
  const cts = produced.map((p, i) => {
    const b = decodeBallot(fromBase64(p.ballot));
    if (toHex(b.credential) !== prep.credential) throw new Error(`${kind} ballot ${i}: not signed with the voter's credential`);
    if (trackerOf(b.bytes).hash !== p.tracker) throw new Error(`${kind} ballot ${i}: tracker differs`);
    if (p.progress !== n + 1) throw new Error(`${kind} ballot ${i}: progress ended at ${p.progress} of ${n + 1}`);
    return verifyBallot(ctx, b);
  });
  const tally = sumCiphertexts(n, cts);
  const factors = new Map();
  for (const member of [1, 3, 5]) {
    const partial = partialDecrypt(ctx, prep.sim.shares.get(member), tally);
    factors.set(member, verifyPartial(ctx, prep.sim.qualified, tally, partial));
  }
  const counts = discreteLogs(combine(tally, factors, prep.setup.threshold), produced.length);
  const expected = new Array(n).fill(0);
  for (const s of selections) {
    if ('blank' in s) expected[q.options] += 1;
    else for (const o of s.options) expected[o] += 1;
  }
  if (counts.join() !== expected.join()) throw new Error(`${kind}: decrypted counts ${counts.join()} differ from the selections' ${expected.join()}`);
  return counts;
}

// In a worker (the browser side): says it is ready, then one result per request.
if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  globalThis.addEventListener('message', (e) => {
    try {
      globalThis.postMessage({ ok: true, ...encryptOne(e.data) });
    } catch (err) {
      globalThis.postMessage({ ok: false, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
    }
  });
  globalThis.postMessage({ ready: true });
}
