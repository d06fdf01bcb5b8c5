/**
 * The ballot on the tablet: the open vote in large type; a radio group (a checkbox group for an
 * election) → a labelled confirm step → "your vote has been recorded" with the receipt code,
 * announced in the live region and focused, all operable by keyboard and screen reader; the result after the close. A ballot confirmed while offline
 * is kept (with its random id) and sent when the connection returns, if the vote is still open;
 * a resend after a lost ack uses the same id, so it is never counted twice.
 *
 * An encrypted secret vote (`vote.encryption`): the choice is encrypted, proved and signed on the
 * tablet (secret.ts, with a progress bar), the ballot's bytes are kept until acknowledged so a
 * retry sends the very same ballot, the receipt is the short tracker (the full one is kept), and
 * after the result "check my ballot" verifies the bulletin board and looks for the tracker.
 */

import { announce, fmtNumber, h, t, type ApiClient, type BallotChoice, type ServerMsg, type VoteInfo, type WsClient } from '@congress/web-common';
import { checkMyBallot, encryptBallot, type CheckResult, type Encrypted } from './secret';

const PENDING_KEY = 'congress.tablet.ballot.pending';
const RECEIPTS_KEY = 'congress.tablet.ballot.receipts';
/** Full trackers of this tablet's encrypted ballots, by vote id. */
const TRACKERS_KEY = 'congress.tablet.ballot.trackers';

interface Pending {
  client_id: string;
  vote_id: number;
  choice: BallotChoice;
  /** An encrypted vote: the ballot made once, sent as is until acknowledged. */
  secret?: Encrypted;
}

function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function load<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

function save(key: string, v: unknown): void {
  if (v === null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(v));
}

export class Ballot<S> {
  /** The choice selected (radio or checkboxes) and shown in the confirm step, not yet sent. */
  private draft: { vote_id: number; choice: BallotChoice } | null = null;
  private kept = new Set<number>();
  private refused: string | null = null;
  /** Element (by id) to give the focus to after the next render, e.g. the receipt. */
  private focusAfter: string | null = null;
  /** An encrypted ballot being made: its vote and progress. */
  private encrypting: { vote_id: number; done: number; total: number } | null = null;
  /** "Check my ballot": running, or its outcome, by vote id. */
  private checks = new Map<number, CheckResult | 'running' | { error: string }>();

  constructor(
    private readonly ws: WsClient<S>,
    private readonly rerender: () => void,
    private readonly api: ApiClient,
  ) {
    ws.subscribe((ev) => {
      if (ev.type === 'conn' && ev.conn === 'online') this.flush();
      if (ev.type === 'message') this.onMessage(ev.msg);
      if (ev.type === 'state' && ev.push?.kind === 'ballot_rejected') {
        // The server found our ballot's proofs bad: it does not count, vote again.
        const push = ev.push;
        if (this.trackers()[String(push.vote_id)] === push.tracker) {
          const r = this.receipts();
          delete r[String(push.vote_id)];
          save(RECEIPTS_KEY, r);
          this.refused = push.reason;
          this.update('ballot-refused');
        }
      }
    });
  }

  private trackers(): Record<string, string> {
    return load<Record<string, string>>(TRACKERS_KEY, {});
  }

  private pending(): Pending | null {
    return load<Pending | null>(PENDING_KEY, null);
  }

  private receipts(): Record<string, string> {
    return load<Record<string, string>>(RECEIPTS_KEY, {});
  }

  /** Sends the kept ballot, if any (on reconnect). */
  flush(): void {
    const p = this.pending();
    if (p?.secret) this.ws.send({ type: 'cast_secret_ballot', client_id: p.client_id, vote_id: p.vote_id, ballot: p.secret.ballot });
    else if (p) this.ws.send({ type: 'cast_ballot', client_id: p.client_id, vote_id: p.vote_id, choice: p.choice });
  }

  private update(focus: string | null = null): void {
    this.focusAfter = focus;
    this.rerender();
    if (this.focusAfter) {
      document.getElementById(this.focusAfter)?.focus();
      this.focusAfter = null;
    }
  }

  private onMessage(msg: ServerMsg): void {
    const p = this.pending();
    if (msg.type === 'ballot_ack') {
      const r = this.receipts();
      const fresh = r[String(msg.ack.vote_id)] !== msg.ack.receipt;
      r[String(msg.ack.vote_id)] = msg.ack.receipt;
      save(RECEIPTS_KEY, r);
      if (msg.ack.tracker) {
        const tr = this.trackers();
        tr[String(msg.ack.vote_id)] = msg.ack.tracker;
        save(TRACKERS_KEY, tr);
      }
      if (p && p.client_id === msg.ack.client_id) save(PENDING_KEY, null);
      this.refused = null;
      if (fresh) announce(t('vote.recorded_receipt', { code: msg.ack.receipt }));
      this.update(fresh ? 'vote-recorded' : null);
    } else if (msg.type === 'ballot_refused') {
      if (p && p.client_id === msg.client_id) save(PENDING_KEY, null);
      this.refused = msg.message;
      this.update('ballot-refused');
    }
  }

  private confirm(vote: VoteInfo): void {
    if (!this.draft || this.encrypting) return;
    const draft = this.draft;
    if (vote.encryption) {
      void this.confirmEncrypted(vote, draft.choice);
      return;
    }
    const p: Pending = { client_id: randomId(), ...draft };
    save(PENDING_KEY, p);
    this.draft = null;
    this.kept.clear();
    this.flush();
    this.update('ballot-sending');
  }

  /** Encrypts (in a worker, with progress), then keeps and sends the ballot like any other. */
  private async confirmEncrypted(vote: VoteInfo, choice: BallotChoice): Promise<void> {
    const vote_id = vote.spec.id;
    this.encrypting = { vote_id, done: 0, total: 1 };
    this.refused = null;
    this.update('ballot-encrypting');
    try {
      const secret = await encryptBallot(vote, choice, (done, total) => {
        this.encrypting = { vote_id, done, total };
        const bar = document.getElementById('ballot-encrypt-progress') as HTMLProgressElement | null;
        if (bar) {
          bar.max = total;
          bar.value = done;
        } else this.update();
      });
      save(PENDING_KEY, { client_id: randomId(), vote_id, choice, secret } satisfies Pending);
      this.draft = null;
      this.kept.clear();
      this.encrypting = null;
      this.flush();
      this.update('ballot-sending');
    } catch (e) {
      this.encrypting = null;
      this.refused = e instanceof Error ? e.message : String(e);
      this.update('ballot-refused');
    }
  }

  private async check(voteId: number, tracker: string): Promise<void> {
    this.checks.set(voteId, 'running');
    this.update('ballot-check-status');
    try {
      this.checks.set(voteId, await checkMyBallot(this.api, voteId, tracker));
    } catch (e) {
      this.checks.set(voteId, { error: e instanceof Error ? e.message : String(e) });
    }
    this.update('ballot-check-status');
  }

  /** "Check my ballot" and what it found, in plain words. */
  private checkView(vote: VoteInfo, tracker: string): HTMLElement {
    const c = this.checks.get(vote.spec.id);
    let status: HTMLElement | null = null;
    if (c === 'running') status = h('p', { id: 'ballot-check-status', tabindex: '-1', role: 'status', 'data-testid': 'check-status', 'data-check': 'running' }, t('vote.check_running'));
    else if (c && 'error' in c) status = h('p', { id: 'ballot-check-status', tabindex: '-1', class: 'error', role: 'alert', 'data-testid': 'check-status', 'data-check': 'error' }, t('vote.check_error', { reason: c.error }));
    else if (c) {
      const ok = c.verified && c.found;
      status = h(
        'div',
        { id: 'ballot-check-status', tabindex: '-1', role: ok ? 'status' : 'alert', class: ok ? 'check-ok' : 'error', 'data-testid': 'check-status', 'data-check': ok ? 'ok' : 'bad' },
        h('p', null, c.verified ? t('vote.check_verified', { n: fmtNumber(c.ballots) }) : t('vote.check_not_verified', { reason: c.problem })),
        h('p', null, c.found ? t('vote.check_found') : t('vote.check_not_found')),
      );
    }
    return h(
      'div',
      { class: 'ballot-check' },
      h('button', { type: 'button', class: 'big', 'data-testid': 'check-ballot', disabled: c === 'running', onclick: () => void this.check(vote.spec.id, tracker) }, t('vote.check_my_ballot')),
      h('p', { class: 'muted tracker-full', dir: 'ltr', 'data-testid': 'tracker-full' }, tracker),
      status,
    );
  }

  private choiceLabel(v: VoteInfo, c: BallotChoice): string {
    switch (c.kind) {
      case 'motion':
        return t(`vote.${c.position}`);
      case 'blank':
        return t('vote.blank');
      case 'choice':
        return optionLabel(v, c.option);
      case 'election':
        return c.kept.map((k) => optionLabel(v, k)).join(', ') || t('vote.none_kept');
    }
  }

  private choose(vote: VoteInfo, choice: BallotChoice, focus: string | null = null): void {
    this.draft = { vote_id: vote.spec.id, choice };
    this.refused = null;
    this.update(focus);
  }

  /** The ballot section for the votes in the state. */
  view(votes: VoteInfo[]): HTMLElement | null {
    const open = votes.filter((v) => v.phase.state === 'open');
    const vote = open[open.length - 1] ?? votes.filter((v) => v.phase.state === 'closed').pop();
    if (!vote) return null;
    const id = vote.spec.id;
    const receipt = this.receipts()[String(id)] ?? vote.my_receipt ?? null;
    const pending = this.pending();
    const body: (HTMLElement | string | null)[] = [];
    if (vote.phase.state === 'closed') {
      body.push(h('p', { class: 'vote-closed' }, t('vote.closed')));
      if (vote.result) body.push(resultView(vote));
      else if (vote.encryption) body.push(decryptingView(vote));
      if (receipt) body.push(h('p', { 'data-testid': 'receipt' }, t('vote.receipt', { code: receipt })));
      const tracker = this.trackers()[String(id)];
      if (vote.encryption && vote.result && tracker) body.push(this.checkView(vote, tracker));
    } else if (receipt || vote.voted) {
      body.push(h('p', { id: 'vote-recorded', tabindex: '-1', class: 'vote-recorded', 'data-testid': 'vote-recorded' }, t('vote.recorded')));
      if (receipt) {
        // only the code in a fixed-width font (and left to right): Arabic text set in a
        // monospace font is hard to read
        const [before = '', after = ''] = t('vote.receipt', { code: '\u0000' }).split('\u0000');
        body.push(h('p', { class: 'receipt', 'data-testid': 'receipt' }, before, h('span', { class: 'receipt-code', dir: 'ltr' }, receipt), after));
      }
    } else if (this.encrypting && this.encrypting.vote_id === id) {
      const e = this.encrypting;
      body.push(
        h('p', { id: 'ballot-encrypting', tabindex: '-1', role: 'status', 'data-testid': 'encrypting' }, t('vote.encrypting')),
        h('progress', { id: 'ballot-encrypt-progress', max: String(e.total), value: String(e.done), 'aria-labelledby': 'ballot-encrypting' }),
      );
    } else if (pending && pending.vote_id === id) {
      body.push(h('p', { id: 'ballot-sending', tabindex: '-1', role: 'status' }, this.ws.conn === 'online' ? t('vote.sending') : t('vote.queued')));
    } else {
      body.push(this.choices(vote));
      // An over-marked election ballot cannot be confirmed (it would not count): keep at most N.
      const k = vote.spec.kind;
      const over = k.kind === 'election' && this.draft?.choice.kind === 'election' && this.draft.choice.kept.length > k.seats;
      if (this.draft && this.draft.vote_id === id && !over) body.push(this.confirmStep(vote, this.draft.choice));
    }
    if (this.refused) body.push(h('p', { id: 'ballot-refused', tabindex: '-1', class: 'error', role: 'alert' }, t('vote.refused', { reason: this.refused })));
    return h(
      'section',
      { id: 'ballot', class: 'panel ballot', 'aria-labelledby': 'ballot-h', 'data-testid': 'ballot', 'data-vote': String(id) },
      h('h2', { id: 'ballot-h' }, `${t('vote.title')}: ${vote.spec.title}`),
      h('p', { class: 'muted' }, vote.spec.secrecy === 'secret' ? t('vote.secret') : t('vote.open_vote')),
      vote.encryption ? h('p', { class: 'muted', 'data-testid': 'encrypted-note' }, t('vote.encrypted_note')) : null,
      ...body,
    );
  }

  /** The labelled confirm step: "You chose: X. Confirm?" with Confirm and Change. */
  private confirmStep(vote: VoteInfo, choice: BallotChoice): HTMLElement {
    return h(
      'div',
      { class: 'confirm-step', role: 'group', 'aria-labelledby': 'confirm-q' },
      h('p', { id: 'confirm-q', tabindex: '-1', class: 'confirm-q', 'data-testid': 'confirm-q' }, t('vote.confirm_q', { choice: this.choiceLabel(vote, choice) })),
      h(
        'div',
        { class: 'ballot-buttons' },
        h('button', { type: 'button', id: 'ballot-confirm', class: 'big primary', 'data-testid': 'confirm', onclick: () => this.confirm(vote) }, t('vote.confirm')),
        h(
          'button',
          {
            type: 'button',
            class: 'big',
            id: 'ballot-change',
            'data-testid': 'change',
            onclick: () => {
              this.draft = null;
              this.update(firstChoiceId(vote));
            },
          },
          t('vote.change'),
        ),
      ),
    );
  }

  /** One radio of the radio group, drawn as a large button. */
  private radio(vote: VoteInfo, key: string, label: string, choice: BallotChoice): HTMLElement {
    const id = `ballot-${vote.spec.id}-${key}`;
    const d = this.draft;
    const checked = !!d && d.vote_id === vote.spec.id && JSON.stringify(d.choice) === JSON.stringify(choice);
    return h(
      'label',
      { class: 'choice-option', for: id },
      h('input', {
        type: 'radio',
        id,
        name: `ballot-${vote.spec.id}`,
        value: key,
        checked,
        'data-testid': `choose-${key}`,
        onchange: () => this.choose(vote, choice, id),
      }),
      h('span', null, label),
    );
  }

  private choices(vote: VoteInfo): HTMLElement {
    const k = vote.spec.kind;
    if (k.kind === 'motion' || k.kind === 'choice') {
      const radios =
        k.kind === 'motion'
          ? (['for', 'against', 'abstain'] as const).map((p) => this.radio(vote, p, t(`vote.${p}`), { kind: 'motion', position: p }))
          : [...k.options.map((o) => this.radio(vote, String(o.id), o.label, { kind: 'choice', option: o.id })), this.radio(vote, 'blank', t('vote.blank'), { kind: 'blank' })];
      return h(
        'div',
        { class: 'ballot-choices' },
        h('p', { id: 'ballot-choices-h', class: 'choices-label' }, t('vote.choices')),
        h('div', { role: 'radiogroup', 'aria-labelledby': 'ballot-choices-h', class: 'ballot-buttons' }, radios),
      );
    }
    const seats = k.seats;
    const over = this.kept.size > seats;
    const setElection = (focus: string) => this.choose(vote, { kind: 'election', kept: [...this.kept] }, focus);
    return h(
      'div',
      { class: 'election' },
      h(
        'fieldset',
        { class: 'candidates-group' },
        h('legend', null, t('vote.keep_up_to', { seats })),
        h(
          'ul',
          { class: 'candidates' },
          k.candidates.map((c) => {
            const id = `ballot-${vote.spec.id}-c${c.id}`;
            return h(
              'li',
              null,
              h(
                'label',
                { class: 'big-check choice-option', for: id },
                h('input', {
                  type: 'checkbox',
                  id,
                  checked: this.kept.has(c.id),
                  'data-testid': `keep-${c.id}`,
                  onchange: (e: Event) => {
                    if ((e.target as HTMLInputElement).checked) this.kept.add(c.id);
                    else this.kept.delete(c.id);
                    setElection(id);
                  },
                }),
                h('span', null, c.label),
              ),
            );
          }),
        ),
      ),
      h('p', { class: 'kept-count', 'aria-live': 'polite', 'data-testid': 'kept-count' }, t('vote.kept_count', { k: fmtNumber(this.kept.size), n: fmtNumber(seats) })),
      over ? h('p', { class: 'error', role: 'alert' }, t('vote.too_many', { seats })) : null,
      h(
        'div',
        { class: 'ballot-buttons' },
        h('button', { type: 'button', class: 'big', 'data-testid': 'choose-blank', onclick: () => { this.kept.clear(); this.choose(vote, { kind: 'blank' }, 'confirm-q'); } }, t('vote.blank')),
      ),
    );
  }
}

/** A closed encrypted vote before its result: the counting board decrypting k of t. */
export function decryptingView(v: VoteInfo): HTMLElement {
  const e = v.encryption!;
  let threshold = 0;
  try {
    threshold = (JSON.parse(e.setup) as { threshold: number }).threshold;
  } catch {
    /* shown as 0 */
  }
  return h(
    'p',
    { class: 'decrypting', role: 'status', 'data-testid': 'decrypting' },
    e.tally === null ? t('vote.tallying') : t('vote.decrypting', { k: fmtNumber(e.decrypted_by.length), t: fmtNumber(threshold) }),
  );
}

function firstChoiceId(vote: VoteInfo): string {
  const k = vote.spec.kind;
  if (k.kind === 'motion') return `ballot-${vote.spec.id}-for`;
  if (k.kind === 'choice') return `ballot-${vote.spec.id}-${k.options[0]?.id ?? 'blank'}`;
  return `ballot-${vote.spec.id}-c${k.candidates[0]?.id ?? 0}`;
}

export function optionLabel(v: VoteInfo, id: number): string {
  const k = v.spec.kind;
  const opts = k.kind === 'choice' ? k.options : k.kind === 'election' ? k.candidates : [];
  return opts.find((o) => o.id === id)?.label ?? String(id);
}

/** The result of a closed vote: outcome and counts as bars (plain HTML/CSS). */
export function resultView(v: VoteInfo): HTMLElement {
  const r = v.result;
  if (!r) return h('div', null);
  const o = r.outcome;
  let outcome = t(`vote.outcome.${o.outcome}`);
  if (o.outcome === 'winner') outcome += `: ${optionLabel(v, o.option)}`;
  if (o.outcome === 'election') outcome += `: ${o.elected.map((e) => optionLabel(v, e)).join(', ')}`;
  const rows: [string, number][] =
    r.counts.kind === 'motion'
      ? [
          [t('vote.for'), r.counts.for],
          [t('vote.against'), r.counts.against],
          [t('vote.abstain'), r.counts.abstain],
        ]
      : r.counts.options.map((c) => [optionLabel(v, c.option), c.votes]);
  const max = Math.max(1, ...rows.map((x) => x[1]));
  return h('div', { class: 'result', 'data-testid': 'result' },
    h('p', { class: 'outcome', 'data-testid': 'outcome', 'data-outcome': o.outcome }, outcome),
    h('div', { class: 'bars' },
      rows.map(([label, n]) =>
        h('div', { class: 'bar-row' },
          h('span', { class: 'bar-label' }, label),
          h('span', { class: 'bar', 'aria-hidden': 'true', style: `inline-size:${(100 * n) / max}%` }),
          h('span', { class: 'bar-n' }, fmtNumber(n)),
        ),
      ),
    ),
    h('p', { class: 'muted' }, t('vote.turnout', { cast: fmtNumber(r.ballots.cast) })),
  );
}
