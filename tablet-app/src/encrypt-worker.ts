/**
 * Encrypts and proves a secret ballot off the page's thread (a 60-candidate election takes
 * seconds on a tablet), reporting progress per slot. One message in, progress messages and one
 * result out; see secret.ts.
 */
import { castBallot, credentialFromSeed, fromHex, toBase64, trackerOf, voteContext } from '@congress/web-common/ballot';
import type { EncryptRequest, EncryptReply } from './secret';

const post = (m: EncryptReply) => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(m);

globalThis.addEventListener('message', (e: Event) => {
  const r = (e as MessageEvent<EncryptRequest>).data;
  try {
    const ctx = voteContext(r.setup, r.vote, fromHex(r.jointKey, 32));
    const b = castBallot(ctx, credentialFromSeed(fromHex(r.seed, 32)), r.selection, undefined, (done, total) => post({ kind: 'progress', done, total }));
    const tr = trackerOf(b.bytes);
    post({ kind: 'done', ballot: toBase64(b.bytes), tracker: tr.hash, short: tr.short });
  } catch (err) {
    post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
