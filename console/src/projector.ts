/**
 * Hall projector: congress name, current agenda item, attendance and quorum, in huge type.
 * Uses the operator's session when opened from the console, otherwise a projector device token
 * (paired once with a code from the console).
 */

import '@congress/web-common/styles.css';
import './console.css';
import {
  WsClient,
  byId,
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
} from '@congress/web-common';
import { clearSession, loadSession } from './session';

const root = byId('app');
initLanguage();
const DEVICE_KEY = 'congress.projector.device';

interface ProjState {
  congress: Congress;
  agenda: Agenda;
  summary: AttendanceSummary;
}

const reducer: Reducer<ProjState> = {
  fromSnapshot: (s) => ({ congress: s.congress, agenda: s.agenda, summary: s.attendance }),
  applyPush: (st, p) =>
    p.kind === 'attendance' ? { ...st, summary: p.summary } : p.kind === 'agenda' ? { ...st, agenda: p.agenda } : st,
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

  const render = () => {
    document.title = t('projector.title');
    const st = ws.state;
    const q = st?.summary.quorum;
    const current = st?.agenda.items.find((i) => i.id === st.agenda.current) ?? null;
    mount(
      root,
      offlineBanner(ws.conn),
      h(
        'main',
        { class: 'proj' },
        h('h1', { class: 'proj-congress', 'data-testid': 'congress-name' }, st ? st.congress.name : t('common.loading')),
        h(
          'section',
          { class: 'proj-current', 'aria-live': 'polite' },
          h('div', { class: 'proj-label' }, t('agenda.now')),
          h('div', { class: 'proj-item', 'data-testid': 'current-item' }, current ? current.title : t('agenda.none_current')),
        ),
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
      ),
      h(
        'div',
        { class: 'proj-tools' },
        langPicker(),
        h(
          'button',
          {
            type: 'button',
            onclick: () => void document.documentElement.requestFullscreen?.().catch(() => undefined),
          },
          t('projector.fullscreen'),
        ),
      ),
    );
  };

  const unsubscribe = ws.subscribe((ev) => {
    if (ev.type === 'error' && ev.fatal && (ev.error === 'unauthorized' || ev.error === 'forbidden')) {
      if (op) clearSession();
      else saveDevice(DEVICE_KEY, null);
      offLang();
      unsubscribe();
      start(t('device.unpaired_notice'));
      return;
    }
    if (ev.type === 'state' || ev.type === 'conn') render();
  });
  const offLang = onLanguageChange(render);
  window.addEventListener('online', () => ws.nudge());
  render();
  ws.emitRestored();
  ws.start();
}

start();
