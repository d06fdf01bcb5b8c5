/**
 * Witness heads (issue 13, finding 16): every device keeps the journal heads it saw (each
 * snapshot's `journal`), a bounded list in localStorage, and on each (re)connect asks the server
 * for its hashes at those seqs (`POST /api/journal/witness`). It compares them itself too (a
 * dishonest server could answer "matches"): a hash that differs, or a seq the journal no longer
 * has, means the record was rewritten after this device saw it. The device then shows a
 * persistent alarm and stops adding heads (the witnessed ones are kept for `congress verify
 * --witness`); the server also raises a `journal_rewritten` alarm on the consoles.
 */

import type { ApiClient } from './api';
import { h } from './dom';
import { t } from './i18n';
import type { JournalHead, WitnessAnswer, WitnessRequest } from './protocol';
import { local, read, write, type KV } from './storage';
import type { WsClient, WsEvent } from './ws';

/** Heads kept per device (the most recent, distinct seqs). The server takes at most 64. */
export const MAX_HEADS = 16;
export const HEADS_KEY = 'congress.witness.heads';
export const ALARM_KEY = 'congress.witness.alarm';

/** What the device found: the seqs whose hash the server does not have. */
export interface WitnessAlarm {
  at: number;
  seqs: number[];
}

const HEX64 = /^[0-9a-f]{64}$/;

function isHead(v: unknown): v is JournalHead {
  const o = v as Partial<JournalHead> | null;
  return !!o && typeof o.seq === 'number' && o.seq > 0 && typeof o.hash === 'string' && HEX64.test(o.hash);
}

/** `head` added to `heads`: one per seq (the newer sighting replaces), the `max` highest seqs, sorted. */
export function addHead(heads: readonly JournalHead[], head: JournalHead, max = MAX_HEADS): JournalHead[] {
  if (!isHead(head)) return [...heads];
  const bySeq = new Map(heads.map((x) => [x.seq, x] as const));
  bySeq.set(head.seq, { seq: head.seq, hash: head.hash });
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-max);
}

/**
 * The device's own comparison: the heads whose hash the answer does not give back exactly
 * (a different hash, none, or no answer for that seq), whatever the answer's `matches` says.
 */
export function mismatches(mine: readonly JournalHead[], answer: WitnessAnswer): JournalHead[] {
  const server = new Map(answer.heads.map((x) => [x.seq, x.server_hash] as const));
  return mine.filter((x) => server.get(x.seq) !== x.hash);
}

export function loadHeads(kv: KV | null = local()): JournalHead[] {
  try {
    const v = JSON.parse(read(kv, HEADS_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter(isHead) : [];
  } catch {
    return [];
  }
}

export function loadAlarm(kv: KV | null = local()): WitnessAlarm | null {
  try {
    const v = JSON.parse(read(kv, ALARM_KEY) ?? 'null') as WitnessAlarm | null;
    return v && Array.isArray(v.seqs) ? v : null;
  } catch {
    return null;
  }
}

/** The heads file `congress verify --witness FILE` reads: a JSON array of `{seq, hash}`. */
export function headsFile(kv: KV | null = local()): string {
  return JSON.stringify(loadHeads(kv), null, 1) + '\n';
}

/** Saves this device's heads as `witness-heads.json` (the console's button). */
export function downloadHeads(kv: KV | null = local()): void {
  const url = URL.createObjectURL(new Blob([headsFile(kv)], { type: 'application/json' }));
  const a = h('a', { href: url, download: 'witness-heads.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The device's persistent alarm banner, at the top of the page (outside each app's view). */
export function showWitnessAlarm(alarm: WitnessAlarm): void {
  const id = 'witness-alarm';
  document.getElementById(id)?.remove();
  const el = h(
    'div',
    { id, class: 'error witness-alarm', role: 'alert', 'data-testid': 'witness-alarm' },
    h('strong', null, t('witness.alarm')),
    ' ',
    t('witness.alarm_seqs', { seqs: alarm.seqs.join(', ') }),
  );
  document.body.prepend(el);
}

/**
 * Checks the stored heads against `api` at each `welcome` (every connect and reconnect), and
 * keeps each snapshot's head once that check passed. Returns the unsubscribe function.
 */
export function startWitness<S>(ws: WsClient<S>, api: ApiClient, kv: KV | null = local()): () => void {
  const shown = loadAlarm(kv);
  if (shown) showWitnessAlarm(shown);
  let checking: Promise<boolean> = Promise.resolve(true);
  const check = async (): Promise<boolean> => {
    const heads = loadHeads(kv);
    if (heads.length === 0 || loadAlarm(kv)) return loadAlarm(kv) === null;
    let answer: WitnessAnswer;
    try {
      answer = await api.request<WitnessAnswer>('POST', '/api/journal/witness', { heads } satisfies WitnessRequest);
    } catch {
      return true; // offline or refused: the heads stay for the next connect
    }
    const bad = mismatches(heads, answer);
    if (bad.length === 0 && answer.ok) return true;
    // The server's own verdict counts too: a mismatch it admits is a mismatch.
    const seqs = bad.length > 0 ? bad.map((x) => x.seq) : answer.heads.filter((x) => !x.matches).map((x) => x.seq);
    const alarm = { at: Date.now(), seqs };
    write(kv, ALARM_KEY, JSON.stringify(alarm));
    showWitnessAlarm(alarm);
    return false;
  };
  return ws.subscribe((ev: WsEvent<S>) => {
    if (ev.type === 'welcome') checking = check();
    else if (ev.type === 'state' && ev.cause === 'snapshot' && ev.journal) {
      const head = ev.journal;
      void checking.then((ok) => {
        if (ok && !loadAlarm(kv)) write(kv, HEADS_KEY, JSON.stringify(addHead(loadHeads(kv), head)));
      });
    }
  });
}
