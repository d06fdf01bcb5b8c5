/** The attendance and quorum panel, shared by the console and the projector. */

import { fmtNumber, h, t, type AttendanceSummary } from '@congress/web-common';

export function quorumPanel(s: AttendanceSummary, headingId: string): HTMLElement[] {
  const q = s.quorum;
  return [
    h('h2', { id: headingId }, t('quorum.title')),
    h(
      'div',
      { class: 'quorum-grid' },
      h(
        'div',
        { class: 'stat stat-present' },
        h('span', { class: 'stat-label' }, t('quorum.present')),
        h(
          'span',
          { class: 'big-number', 'data-testid': 'present-count', 'data-value': String(q.present) },
          fmtNumber(q.present),
          h('span', { class: 'of' }, ` / ${fmtNumber(q.convened)}`),
        ),
      ),
      h(
        'div',
        { class: 'stat' },
        h('span', { class: 'stat-label' }, t('quorum.required')),
        h('span', { class: 'big-number', 'data-testid': 'required-count' }, fmtNumber(q.required)),
        h('span', { class: 'muted small' }, t('quorum.rule', { num: q.rule.numerator, den: q.rule.denominator })),
      ),
      h(
        'div',
        {
          class: `stat quorum-state ${q.reached ? 'quorum-yes' : 'quorum-no'}`,
          'data-testid': 'quorum-reached',
          'data-reached': String(q.reached),
        },
        h('span', { class: 'stat-label' }, t('quorum.state')),
        h('span', { class: 'big-number' }, q.reached ? t('quorum.reached') : t('quorum.not_reached')),
      ),
    ),
    h(
      'p',
      { class: 'quorum-detail' },
      t('quorum.detail', { left: s.left, absent: s.absent, listed: s.listed }),
    ),
  ];
}
