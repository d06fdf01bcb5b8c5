/**
 * A counting-board member's tablet (docs/ballot-crypto.md, "In this server"): the key ceremony
 * and the decryption. While the board is dealing, a card "Counting board: create the key" deals
 * this member's shares (each sealed with age to the receiving member's tablet); while checking,
 * the shares received are opened and checked against the dealers' commitments (a bad one is a
 * complaint); once the key is ready, this member's key share is combined and kept with the
 * tablet's keys. After an encrypted vote's tally is recorded, "Decrypt the result" sends this
 * member's partial decryption with its proof — once per vote (a second, different tally for
 * the same vote is refused here: two decryptions differing by one ballot would reveal it).
 *
 * Which tablet is the member's: the one holding the member's registered key (its credential).
 */

import { announce, h, t, type ApiClient, type BoardTranscript, type BoardView, type ClientMsg, type SealedShare, type ServerMsg, type VoteInfo, type WsClient } from '@congress/web-common';
import {
  combineShares,
  fromBase64,
  fromHex,
  newDealer,
  partialDecrypt,
  qualify,
  receiveShare,
  shareEnvelope,
  tallyFromWire,
  toBase64,
  toHex,
  voteContext,
  type BoardSetup,
  type Complaint,
  type DkgTranscript,
  type KeyShare,
  type WireCiphertext,
} from '@congress/web-common/ballot';
import { decryptInMemory, encryptTo } from './agecrypt';
import { deviceCredential, deviceIdentity, keyShare, saveKeyShare } from './keys';
import { voteParams } from './secret';

/** The tallies this tablet decrypted, by vote id: never a second one for the same vote. */
const DECRYPTED_KEY = 'congress.tablet.board.decrypted';
/** The id of the last counting board this tablet heard of (see `refresh`). */
const BOARD_SEEN_KEY = 'congress.tablet.board.seen';

function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function decrypted(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(DECRYPTED_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class CountingBoard<S> {
  private board: BoardView | null = null;
  /** This tablet's credential key (hex): how it knows it is a member. */
  private myKey: string | null = null;
  /** The action running ('deal', 'check', `decrypt-${vote}`) and the message sent for it. */
  private busy: string | null = null;
  private sent = new Map<string, string>();
  private error: string | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly ws: WsClient<S>,
    private readonly rerender: () => void,
  ) {
    void deviceCredential().then((c) => {
      this.myKey = c ? toHex(c.public) : null;
      void this.refresh();
    });
    ws.subscribe((ev) => {
      if (ev.type === 'state' && ev.push?.kind === 'board') this.onBoard(ev.push.board);
      else if (ev.type === 'state' && ev.cause === 'snapshot') void this.refresh();
      if (ev.type === 'message') this.onMessage(ev.msg);
    });
  }

  /**
   * Asks for the board only when one is known to exist (a board push seen before, or an
   * encrypted vote): `GET /api/board` answers 404 before there is one, and every board change
   * is pushed anyway (a ceremony in progress pushes at each member's step).
   */
  private async refresh(): Promise<void> {
    if (!this.myKey) return;
    const votes = (this.ws.state as { votes?: VoteInfo[] } | null)?.votes ?? [];
    if (!localStorage.getItem(BOARD_SEEN_KEY) && !votes.some((v) => v.encryption)) return;
    try {
      this.onBoard(await this.api.request<BoardView>('GET', '/api/board'));
    } catch {
      /* no board yet (404), or offline: the next push or snapshot brings it */
    }
  }

  private onBoard(b: BoardView): void {
    this.board = b;
    localStorage.setItem(BOARD_SEEN_KEY, b.board_id);
    if (b.phase.phase === 'ready' && this.me()) void this.ensureKeyShare().catch(() => undefined);
    this.rerender();
  }

  private onMessage(m: ServerMsg): void {
    if (m.type !== 'acked' && m.type !== 'refused') return;
    const action = [...this.sent].find(([, id]) => id === m.client_id)?.[0];
    if (!action) return;
    this.sent.delete(action);
    if (this.busy === action) this.busy = null;
    if (m.type === 'refused') this.error = m.message;
    else if (action.startsWith('decrypt-')) announce(t('board.decrypted'));
    this.rerender();
  }

  private me() {
    return this.board?.members.find((m) => m.key === this.myKey) ?? null;
  }

  private send(action: string, build: (client_id: string) => ClientMsg): void {
    const id = randomId();
    this.sent.set(action, id);
    this.ws.send(build(id));
  }

  private async transcript(): Promise<{ tr: BoardTranscript; setup: BoardSetup; dkg: DkgTranscript; index: number }> {
    const tr = await this.api.request<BoardTranscript>('GET', '/api/board/transcript');
    if (tr.my_index === null) throw new Error('this tablet is not a member of the counting board');
    return { tr, setup: JSON.parse(tr.setup) as BoardSetup, dkg: JSON.parse(tr.transcript) as DkgTranscript, index: tr.my_index };
  }

  /** Runs an action with the card showing "working" and any error in plain words. */
  private async run(action: string, f: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = action;
    this.error = null;
    this.rerender();
    try {
      await f();
    } catch (e) {
      this.busy = null;
      this.error = msg(e);
    }
    this.rerender();
  }

  /** Deals: the signed commitments, and one share per member sealed to that member's tablet. */
  private deal(): Promise<void> {
    return this.run('deal', async () => {
      const { tr, setup, index } = await this.transcript();
      const cred = await deviceCredential();
      if (!cred) throw new Error('no voting credential on this tablet');
      const { dealer, message } = newDealer(setup, index, cred);
      const shares: SealedShare[] = [];
      for (const m of tr.board.members) {
        if (!m.recipient) throw new Error(`member ${m.index} (${m.full_name}) has no tablet key to seal a share to`);
        const sealed = await encryptTo(m.recipient, shareEnvelope(dealer, m.index, cred));
        shares.push({ member: m.index, age: toBase64(sealed) });
      }
      this.send('deal', (client_id) => ({ type: 'board_deal', client_id, dealer: JSON.stringify(message), shares }));
    });
  }

  /** Opens and checks every share received; the shares that fail are complaints. */
  private async received(): Promise<{ setup: BoardSetup; dkg: DkgTranscript; index: number; shares: Map<number, bigint>; complaints: Complaint[] }> {
    const { tr, setup, dkg, index } = await this.transcript();
    const identity = await deviceIdentity();
    if (!identity) throw new Error('no document key on this tablet');
    const shares = new Map<number, bigint>();
    const complaints: Complaint[] = [];
    for (const sealed of tr.my_shares) {
      const dealer = dkg.dealers.find((d) => d.dealer === sealed.member);
      if (!dealer) continue;
      let envelope: Uint8Array;
      try {
        envelope = await decryptInMemory(fromBase64(sealed.age), identity);
      } catch {
        continue; // nothing provable: the dealer is dropped at the finish if it matters
      }
      try {
        shares.set(sealed.member, receiveShare(setup, dealer, index, envelope));
      } catch {
        complaints.push({ accuser: index, envelope: toHex(envelope) });
      }
    }
    return { setup, dkg, index, shares, complaints };
  }

  private check(): Promise<void> {
    return this.run('check', async () => {
      const { complaints } = await this.received();
      this.send('check', (client_id) => ({ type: 'board_check', client_id, complaints: complaints.map((c) => JSON.stringify(c)) }));
    });
  }

  /** The key share, kept once made (from the shares of the qualified dealers). */
  private async ensureKeyShare(): Promise<KeyShare> {
    const b = this.board;
    if (!b) throw new Error('no counting board');
    const kept = await keyShare(b.board_id);
    if (kept) return kept;
    const { setup, dkg, index, shares } = await this.received();
    const share = combineShares(qualify(setup, dkg), index, shares);
    await saveKeyShare(b.board_id, share);
    return share;
  }

  private decrypt(v: VoteInfo): Promise<void> {
    const id = v.spec.id;
    return this.run(`decrypt-${id}`, async () => {
      const e = v.encryption!;
      const tallyJson = e.tally!;
      const done = decrypted();
      if (done[String(id)] !== undefined && done[String(id)] !== tallyJson)
        throw new Error('this tablet already decrypted another tally for this vote: it will not decrypt a second one');
      const p = voteParams(v);
      const ctx = voteContext(p.setup, p.vote, fromHex(p.jointKey, 32));
      const share = await this.ensureKeyShare();
      const partial = partialDecrypt(ctx, share, tallyFromWire(JSON.parse(tallyJson) as WireCiphertext[]));
      done[String(id)] = tallyJson;
      localStorage.setItem(DECRYPTED_KEY, JSON.stringify(done));
      this.send(`decrypt-${id}`, (client_id) => ({ type: 'submit_partial', client_id, vote_id: id, partial: JSON.stringify(partial) }));
    });
  }

  /** The member's cards, or null when this tablet has nothing to do for the board. */
  view(votes: VoteInfo[]): HTMLElement | null {
    const b = this.board;
    const me = this.me();
    if (!b || !me) return null;
    const cards: HTMLElement[] = [];
    const working = (action: string) => this.busy === action || this.sent.has(action);
    const button = (action: string, label: string, testid: string, f: () => void) =>
      h('button', { type: 'button', class: 'big primary', 'data-testid': testid, disabled: working(action), onclick: f }, working(action) ? t('board.working') : label);
    const intro = h('p', null, t('board.member_intro', { k: String(b.threshold), n: String(b.members.length) }));
    const phase = b.phase.phase;
    if (phase === 'dealing' || phase === 'checking' || phase === 'failed') {
      const body: (HTMLElement | null)[] = [intro];
      if (phase === 'dealing' && !me.dealt) body.push(button('deal', t('board.deal'), 'board-deal', () => void this.deal()));
      else if (phase === 'dealing') body.push(h('p', { role: 'status', 'data-testid': 'board-status' }, t('board.dealt')));
      else if (phase === 'checking' && !me.checked) body.push(button('check', t('board.check'), 'board-check', () => void this.check()));
      else if (phase === 'checking') body.push(h('p', { role: 'status', 'data-testid': 'board-status' }, t('board.checked')));
      else if (b.phase.phase === 'failed') body.push(h('p', { class: 'error' }, t('board.failed', { reason: b.phase.reason })));
      cards.push(h('div', { class: 'board-card', 'data-testid': 'board-ceremony', 'data-phase': phase }, h('h3', null, t('board.create_key')), ...body));
    }
    for (const v of votes) {
      const e = v.encryption;
      if (!e || v.phase.state !== 'closed' || v.result || e.tally === null || e.decrypted_by.includes(me.index)) continue;
      let boardId = '';
      try {
        boardId = (JSON.parse(e.setup) as BoardSetup).board_id;
      } catch {
        continue;
      }
      if (boardId !== b.board_id) continue;
      const action = `decrypt-${v.spec.id}`;
      cards.push(
        h(
          'div',
          { class: 'board-card', 'data-testid': 'board-decrypt', 'data-vote': String(v.spec.id) },
          h('p', null, t('board.decrypt_intro', { title: v.spec.title })),
          button(action, t('board.decrypt'), 'board-decrypt-button', () => void this.decrypt(v)),
        ),
      );
    }
    if (cards.length === 0 && !this.error) return null;
    return h(
      'section',
      { id: 'counting-board', class: 'panel counting-board', 'aria-labelledby': 'counting-board-h', 'data-testid': 'counting-board' },
      h('h2', { id: 'counting-board-h' }, t('board.title')),
      ...cards,
      this.error ? h('p', { class: 'error', role: 'alert', 'data-testid': 'board-error' }, t('board.error', { reason: this.error })) : null,
    );
  }
}
