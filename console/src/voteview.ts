/**
 * A vote's counts as horizontal bars (plain HTML/CSS), and a closed encrypted vote's decryption
 * progress, shared by the console and projector.
 */

import { fmtNumber, h, t, type VoteCounts, type VoteInfo } from '@congress/web-common';

export function optionLabel(v: VoteInfo, id: number): string {
  const k = v.spec.kind;
  const opts = k.kind === 'choice' ? k.options : k.kind === 'election' ? k.candidates : [];
  return opts.find((o) => o.id === id)?.label ?? String(id);
}

export function resultBars(v: VoteInfo, counts: VoteCounts, outcome?: string): HTMLElement {
  const rows: [string, number][] =
    counts.kind === 'motion'
      ? [
          [t('vote.for'), counts.for],
          [t('vote.against'), counts.against],
          [t('vote.abstain'), counts.abstain],
        ]
      : counts.options.map((c) => [optionLabel(v, c.option), c.votes]);
  const max = Math.max(1, ...rows.map((x) => x[1]));
  let text: string | null = null;
  const o = v.result?.outcome;
  if (outcome && o) {
    text = t(`vote.outcome.${o.outcome}`);
    if (o.outcome === 'winner') text += `: ${optionLabel(v, o.option)}`;
    if (o.outcome === 'election') text += `: ${o.elected.map((e) => optionLabel(v, e)).join(', ')}`;
  }
  return h('div', { class: 'result', 'data-testid': 'result' },
    text ? h('p', { class: 'outcome', 'data-testid': 'outcome', 'data-outcome': outcome ?? '' }, text) : null,
    h('div', { class: 'bars' },
      rows.map(([label, n]) =>
        h('div', { class: 'bar-row' },
          h('span', { class: 'bar-label' }, label),
          h('span', { class: 'bar', 'aria-hidden': 'true', style: `inline-size:${(100 * n) / max}%` }),
          h('span', { class: 'bar-n', 'data-testid': 'bar-n', 'data-value': String(n) }, fmtNumber(n)),
        ),
      ),
    ),
  );
}

/** A closed encrypted vote before its result: "counting board decrypting k/t" (null otherwise). */
export function decryptingLine(v: VoteInfo, testid = 'decrypting'): HTMLElement | null {
  const e = v.encryption;
  if (!e || v.phase.state !== 'closed' || v.result) return null;
  let threshold = 0;
  try {
    threshold = (JSON.parse(e.setup) as { threshold: number }).threshold;
  } catch {
    /* shown as 0 */
  }
  const k = e.decrypted_by.length;
  return h(
    'p',
    { class: 'decrypting', 'data-testid': testid, 'data-k': String(k), 'data-t': String(threshold) },
    e.tally === null ? t('vote.tallying') : t('vote.decrypting', { k: fmtNumber(k), t: fmtNumber(threshold) }),
  );
}
