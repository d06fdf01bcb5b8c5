/**
 * An encrypted secret ballot on the tablet (docs/ballot-crypto.md): the vote's question and the
 * delegate's selection in the ballot protocol's terms, encryption in a worker with progress, and
 * "check my ballot": the bulletin board fetched, verified here and searched for the tracker.
 */
import type { ApiClient, BallotChoice, VoteInfo } from '@congress/web-common';
import { findTracker, toHex, verifyBoard, type Board, type BoardSetup, type Selection, type VoteParams } from '@congress/web-common/ballot';
import { deviceCredential } from './keys';

export interface EncryptRequest {
  setup: BoardSetup;
  vote: VoteParams;
  jointKey: string;
  seed: string;
  selection: Selection;
}

export type EncryptReply =
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'done'; ballot: string; tracker: string; short: string }
  | { kind: 'error'; message: string };

export interface Encrypted {
  /** Base64 of the ballot's bytes: sent as is, and again on a retry. */
  ballot: string;
  tracker: string;
  short: string;
}

/** The vote's parameters in the ballot protocol. */
export function voteParams(v: VoteInfo): { setup: BoardSetup; vote: VoteParams; jointKey: string } {
  const e = v.encryption!;
  return {
    setup: JSON.parse(e.setup) as BoardSetup,
    vote: { vote_id: e.vote_key, question: { options: e.options, blank: e.blank, min: e.min, max: e.max } },
    jointKey: e.joint_key,
  };
}

/** The choice as slots: motion for/against/abstain are 0/1/2, options and candidates in order. */
export function selectionOf(v: VoteInfo, c: BallotChoice): Selection {
  const k = v.spec.kind;
  const idx = (id: number) => {
    const opts = k.kind === 'choice' ? k.options : k.kind === 'election' ? k.candidates : [];
    const i = opts.findIndex((o) => o.id === id);
    if (i < 0) throw new Error(`unknown option ${id}`);
    return i;
  };
  switch (c.kind) {
    case 'blank':
      return { blank: true };
    case 'motion':
      return { options: [['for', 'against', 'abstain'].indexOf(c.position)] };
    case 'choice':
      return { options: [idx(c.option)] };
    case 'election':
      return { options: c.kept.map(idx).sort((a, b) => a - b) };
  }
}

/** Encrypts, proves and signs the ballot with the tablet's credential, in a worker. */
export async function encryptBallot(v: VoteInfo, c: BallotChoice, onProgress: (done: number, total: number) => void): Promise<Encrypted> {
  const cred = await deviceCredential();
  if (!cred) throw new Error('no voting credential on this tablet: pair it again');
  const req: EncryptRequest = { ...voteParams(v), seed: toHex(cred.seed), selection: selectionOf(v, c) };
  const worker = new Worker(new URL('./encrypt-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<Encrypted>((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(e.message || 'the encryption failed'));
      worker.onmessage = (e: MessageEvent<EncryptReply>) => {
        const m = e.data;
        if (m.kind === 'progress') onProgress(m.done, m.total);
        else if (m.kind === 'done') resolve({ ballot: m.ballot, tracker: m.tracker, short: m.short });
        else reject(new Error(m.message));
      };
      worker.postMessage(req);
    });
  } finally {
    worker.terminate();
  }
}

export type CheckResult = { verified: true; found: boolean; ballots: number } | { verified: false; found: boolean; problem: string };

/** Fetches the vote's bulletin board, re-checks every proof and the tally, finds the tracker. */
export async function checkMyBallot(api: ApiClient, voteId: number, tracker: string): Promise<CheckResult> {
  const board = await api.request<Board>('GET', `/api/votes/${voteId}/board.json`);
  // Let the "checking" status paint before the (synchronous) verification.
  await new Promise((r) => setTimeout(r, 20));
  const check = verifyBoard(board);
  const found = findTracker(board, tracker);
  if (check.ok) return { verified: true, found, ballots: check.ballots };
  const p = check.problems[0];
  return { verified: false, found, problem: p ? `${p.at}: ${p.what}` : '' };
}
