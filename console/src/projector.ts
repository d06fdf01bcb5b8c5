/**
 * Hall projector, full screen, in huge type. The operator switches its scene from the console
 * (journalled, so a projector that reconnects shows the current one): `agenda` (the overview:
 * current item, time plan, the vote if there is one, attendance), `speaker`, `vote`, `result`,
 * `quorum`, `notice` (drawn by `projscenes.ts`). Uses the operator's session when opened from the
 * console, otherwise a projector device token (paired once with a code from the console).
 */

import '@congress/web-common/styles.css';
import './console.css';
import './projector.css';
import {
  WsClient,
  byId,
  initLargeType,
  largeTypeToggle,
  fmtNumber,
  h,
  initLanguage,
  langPicker,
  loadDevice,
  local,
  mount,
  offlineBanner,
  onLanguageChange,
  renderPairing,
  saveDevice,
  t,
  wsUrl,
  type Agenda,
  type AttendanceSummary,
  type Congress,
  type Reducer,
  type VoteInfo,
  type VoteLive,
  type MeetingView,
  noteServerTime,
} from '@congress/web-common';
import { sceneView, timePlan } from './projscenes';
import { decryptingLine, resultBars } from './voteview';
import { clearSession, loadSession } from './session';

const root = byId('app');
initLanguage();
initLargeType();
const DEVICE_KEY = 'congress.projector.device';

interface ProjState {
  congress: Congress;
  agenda: Agenda;
  summary: AttendanceSummary;
  votes: VoteInfo[];
  /** Absent in a state persisted by an older version. */
  meeting?: MeetingView;
}

const reducer: Reducer<ProjState> = {
  fromSnapshot: (s) => ({ congress: s.congress, agenda: s.agenda, summary: s.attendance, votes: s.votes ?? [], meeting: s.meeting }),
  applyPush: (st, p) =>
    p.kind === 'meeting'
      ? { ...st, meeting: p.meeting }
      : p.kind === 'attendance'
      ? { ...st, summary: p.summary }
      : p.kind === 'agenda'
        ? { ...st, agenda: p.agenda }
        : p.kind === 'vote'
          ? { ...st, votes: [...(st.votes ?? []).filter((v) => v.spec.id !== p.vote.spec.id), p.vote].sort((a, b) => a.spec.id - b.spec.id) }
          : st,
};

function start(notice: string | null = null): void {
  const op = loadSession();
  const dev = loadDevice(DEVICE_KEY);
  const token = op?.token ?? dev?.token ?? null;
  if (!token) {
    document.body.classList.remove('projector');
    renderPairing({
      root,
      kind: 'projector',
      title: t('projector.pair_title'),
      notice,
      onPaired: (creds) => {
        saveDevice(DEVICE_KEY, creds);
        start();
      },
    });
    return;
  }
  document.body.classList.add('projector');
  const ws = new WsClient<ProjState>({
    url: wsUrl('/ws/projector'),
    token: () => token,
    reducer,
    storage: local(),
    storageKey: 'congress.projector.ws',
  });

  const live = new Map<number, VoteLive>();
  const voteSection = (st: ProjState | null) => {
    const votes = (st?.votes ?? []).filter((v) => v.phase.state !== 'draft');
    const v = votes.filter((x) => x.phase.state === 'open').pop() ?? votes.pop();
    if (!v) return null;
    const l = live.get(v.spec.id);
    const ph = v.phase;
    let countdown: string | null = null;
    if (ph.state === 'open' && ph.closes_at) {
      const left = Math.max(0, Math.round((ph.closes_at - Date.now()) / 1000));
      countdown = t('vote.remaining', { time: `${fmtNumber(Math.floor(left / 60))}:${fmtNumber(left % 60, { minimumIntegerDigits: 2 })}` });
    }
    return h(
      'section',
      { class: 'proj-vote', 'data-testid': 'proj-vote', 'data-state': ph.state, 'aria-live': 'polite' },
      h('div', { class: 'proj-label' }, `${t('vote.title')} · ${t(`vote.state.${ph.state}`)}`),
      h('div', { class: 'proj-item', 'data-testid': 'vote-question' }, v.spec.title),
      countdown ? h('div', { class: 'proj-countdown', 'data-testid': 'countdown' }, countdown) : null,
      ph.state === 'open'
        ? h('div', { class: 'proj-turnout', 'data-testid': 'proj-turnout' }, t('vote.turnout', { cast: fmtNumber(l?.cast ?? v.cast) }), l ? ` / ${fmtNumber(l.present)}` : '')
        : null,
      ph.state === 'open' && l?.counts ? resultBars(v, l.counts) : null,
      ph.state === 'closed' && v.result ? resultBars(v, v.result.counts, v.result.outcome.outcome) : null,
      decryptingLine(v, 'proj-decrypting'),
    );
  };
  setInterval(() => {
    if ((ws.state?.votes ?? []).some((v) => v.phase.state === 'open' && v.phase.closes_at)) render();
  }, 1000);

  const render = () => {
    document.title = t('projector.title');
    const st = ws.state;
    mount(
      root,
      offlineBanner(ws.conn),
      h(
        'main',
        { class: 'proj' },
        h('h1', { class: 'proj-congress', 'data-testid': 'congress-name' }, st ? st.congress.name : t('common.loading')),
        ...sceneFor(st),
        tools(),
      ),
    );
  };

  /** The operator's scene; `agenda` (the default) is the overview below. */
  const sceneFor = (st: ProjState | null): (HTMLElement | null)[] => {
    const scene = st?.meeting?.scene ?? { scene: 'agenda' as const };
    document.body.dataset.scene = scene.scene;
    if (st?.meeting && scene.scene !== 'agenda') {
      return [sceneView(scene, { meeting: st.meeting, agenda: st.agenda, summary: st.summary, votes: st.votes ?? [], live, voteSection: () => voteSection(st) })];
    }
    return overview(st);
  };

  const overview = (st: ProjState | null): (HTMLElement | null)[] => {
    const q = st?.summary.quorum;
    const current = st?.agenda.items.find((i) => i.id === st.agenda.current) ?? null;
    return [
        h(
          'section',
          { class: 'proj-current', 'aria-live': 'polite' },
          h('div', { class: 'proj-label' }, t('agenda.now')),
          h('div', { class: 'proj-item', 'data-testid': 'current-item' }, current ? current.title : t('agenda.none_current')),
        ),
        st?.meeting ? timePlan(st.agenda, st.meeting) : null,
        voteSection(st),
        q
          ? h(
              'section',
              { class: 'proj-stats', 'aria-label': t('quorum.title'), 'data-testid': 'quorum' },
              h(
                'div',
                { class: 'proj-stat' },
                h('span', { class: 'num', 'data-testid': 'present-count', 'data-value': String(q.present) }, `${fmtNumber(q.present)}/${fmtNumber(q.convened)}`),
                h('span', { class: 'lbl' }, t('quorum.present')),
              ),
              h(
                'div',
                { class: 'proj-stat' },
                h('span', { class: 'num' }, fmtNumber(q.required)),
                h('span', { class: 'lbl' }, t('quorum.required')),
              ),
              h(
                'div',
                { class: `proj-stat ${q.reached ? 'proj-yes' : 'proj-no'}`, 'data-testid': 'quorum-reached', 'data-reached': String(q.reached) },
                h('span', { class: 'num' }, q.reached ? t('quorum.reached') : t('quorum.not_reached')),
                h('span', { class: 'lbl' }, t('quorum.state')),
              ),
            )
          : null,
    ];
  };

  const tools = () =>
    h(
      'div',
      { class: 'proj-tools' },
      langPicker(),
      largeTypeToggle(),
      h(
        'button',
        {
          type: 'button',
          onclick: () => void document.documentElement.requestFullscreen?.().catch(() => undefined),
        },
        t('projector.fullscreen'),
      ),
    );

  const unsubscribe = ws.subscribe((ev) => {
    if (ev.type === 'error' && ev.fatal && (ev.error === 'unauthorized' || ev.error === 'forbidden')) {
      if (op) clearSession();
      else saveDevice(DEVICE_KEY, null);
      offLang();
      unsubscribe();
      start(t('device.unpaired_notice'));
      return;
    }
    if (ev.type === 'message' && ev.msg.type === 'vote_live') {
      live.set(ev.msg.live.vote_id, ev.msg.live);
      render();
    }
    if (ev.type === 'state' && ev.cause !== 'restored' && ev.state.meeting) noteServerTime(ev.state.meeting);
    if (ev.type === 'state' || ev.type === 'conn') render();
  });
  const offLang = onLanguageChange(render);
  window.addEventListener('online', () => ws.nudge());
  render();
  ws.emitRestored();
  ws.start();
}

start();
