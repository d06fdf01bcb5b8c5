/**
 * The projector's scenes other than the overview: the speaker (name, big countdown, next
 * speakers), the vote, the result, the quorum and the operator's notice. Every text is put in
 * as text (never as HTML), so a notice shows exactly what was typed.
 */

import {
  countdown,
  fmtLocalShort,
  fmtNumber,
  h,
  t,
  type Agenda,
  type AttendanceSummary,
  type MeetingView,
  type ProjectorScene,
  type VoteInfo,
  type VoteLive,
} from '@congress/web-common';

export interface SceneData {
  meeting: MeetingView;
  agenda: Agenda;
  summary: AttendanceSummary;
  votes: VoteInfo[];
  live: Map<number, VoteLive>;
  /** The overview's vote section (live turnout, or the result once closed). */
  voteSection: () => HTMLElement | null;
}

function currentTitle(d: { agenda: Agenda }): string {
  return d.agenda.items.find((i) => i.id === d.agenda.current)?.title ?? t('agenda.none_current');
}

/** The time plan: every item with its planned start, length and status. */
export function timePlan(agenda: Agenda, meeting: MeetingView): HTMLElement {
  const runs = new Map(meeting.items.map((r) => [r.item_id, r]));
  return h(
    'ol',
    { class: 'proj-plan', 'data-testid': 'proj-plan', 'aria-label': t('meeting.plan') },
    agenda.items.map((i) => {
      const status = runs.get(i.id)?.status === 'done' ? 'done' : i.id === agenda.current ? 'in_progress' : 'pending';
      return h(
        'li',
        { class: `plan-${status}`, 'data-item': i.id, 'aria-current': status === 'in_progress' ? 'step' : null },
        h('span', { class: 'plan-when' }, i.planned_start ? fmtLocalShort(i.planned_start) : ''),
        h('span', { class: 'plan-title' }, i.title),
        h('span', { class: 'plan-status' }, t(`meeting.status.${status}`)),
      );
    }),
  );
}

function speakerScene(d: SceneData): HTMLElement {
  const m = d.meeting;
  const sp = m.speaking;
  const name = (id: string) => m.people[id]?.full_name ?? id;
  const next = m.queues.filter((r) => r.item_id === d.agenda.current).slice(0, 3);
  return h(
    'section',
    { class: 'proj-scene proj-speaker', 'data-testid': 'proj-speaker', 'aria-live': 'polite' },
    h('div', { class: 'proj-label' }, currentTitle(d)),
    sp
      ? [
          h('div', { class: 'proj-label' }, `${t('meeting.speaking_now')} · ${t(`meeting.kind.${sp.kind}`)}`),
          h('div', { class: 'proj-speaker-name', 'data-testid': 'proj-speaker-name', 'data-delegate': sp.delegate_id }, name(sp.delegate_id)),
          m.people[sp.delegate_id]?.unit ? h('div', { class: 'proj-speaker-unit' }, m.people[sp.delegate_id]?.unit ?? '') : null,
          countdown(sp, { class: 'proj-timer', 'data-testid': 'proj-countdown' }),
        ]
      : h('div', { class: 'proj-item' }, t('meeting.nobody_speaking')),
    next.length
      ? h(
          'div',
          { class: 'proj-next' },
          h('div', { class: 'proj-label' }, t('meeting.next_speakers')),
          h('ol', { 'data-testid': 'proj-next' }, next.map((r) => h('li', { 'data-delegate': r.delegate_id }, name(r.delegate_id), r.kind !== 'normal' ? h('span', { class: 'proj-kind' }, ` · ${t(`meeting.kind.${r.kind}`)}`) : null))),
        )
      : null,
  );
}

function quorumScene(d: SceneData): HTMLElement {
  const q = d.summary.quorum;
  return h(
    'section',
    { class: 'proj-scene proj-quorum', 'data-testid': 'quorum', 'aria-live': 'polite' },
    h('div', { class: 'proj-label' }, t('quorum.title')),
    h(
      'div',
      { class: 'proj-stats proj-stats-big' },
      h('div', { class: 'proj-stat' }, h('span', { class: 'num', 'data-testid': 'present-count', 'data-value': String(q.present) }, `${fmtNumber(q.present)}/${fmtNumber(q.convened)}`), h('span', { class: 'lbl' }, t('quorum.present'))),
      h('div', { class: 'proj-stat' }, h('span', { class: 'num' }, fmtNumber(q.required)), h('span', { class: 'lbl' }, t('quorum.required'))),
      h(
        'div',
        { class: `proj-stat ${q.reached ? 'proj-yes' : 'proj-no'}`, 'data-testid': 'quorum-reached', 'data-reached': String(q.reached) },
        h('span', { class: 'num' }, q.reached ? t('quorum.reached') : t('quorum.not_reached')),
        h('span', { class: 'lbl' }, t('quorum.state')),
      ),
    ),
  );
}

function voteScene(d: SceneData, closedOnly: boolean): HTMLElement {
  const shown = d.votes.filter((v) => v.phase.state !== 'draft');
  const hasVote = closedOnly ? shown.some((v) => v.phase.state === 'closed') : shown.length > 0;
  return h(
    'section',
    { class: 'proj-scene proj-vote-scene', 'data-testid': closedOnly ? 'proj-result' : 'proj-vote-scene' },
    hasVote ? d.voteSection() : h('div', { class: 'proj-item' }, t('meeting.no_vote')),
  );
}

export function sceneView(scene: ProjectorScene, d: SceneData): HTMLElement {
  switch (scene.scene) {
    case 'speaker':
      return speakerScene(d);
    case 'quorum':
      return quorumScene(d);
    case 'vote':
      return voteScene(d, false);
    case 'result':
      return voteScene(d, true);
    case 'notice':
      return h('section', { class: 'proj-scene proj-notice', 'data-testid': 'proj-notice', 'aria-live': 'polite' }, h('p', { class: 'proj-notice-text' }, scene.text));
    case 'agenda':
      return h('section', { class: 'proj-scene' }, h('div', { class: 'proj-item', 'data-testid': 'current-item' }, currentTitle(d)), timePlan(d.agenda, d.meeting));
    case 'candidates':
    case 'tally_report':
    case 'credentials_report':
      // The procedures' scenes (issue 15): only their title until their views are built.
      return h('section', { class: 'proj-scene', 'data-testid': `proj-${scene.scene}` }, h('div', { class: 'proj-item' }, t(`meeting.scene.${scene.scene}`)));
  }
}
