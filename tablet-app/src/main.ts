/**
 * Delegate tablet. First run: pair with the code shown on the console. Then: a greeting with the
 * delegate's name, seat and group, their own attendance, and the agenda with the current item,
 * all live over /ws/tablet, with a banner whenever the connection is down.
 */

import '@congress/web-common/styles.css';
import './tablet.css';
import {
  ApiClient,
  WsClient,
  announceLive,
  byId,
  initLargeType,
  keepFocus,
  largeTypeToggle,
  sectionNav,
  connBadge,
  fmtLocalShort,
  fmtNumber,
  fmtTime,
  h,
  initLanguage,
  langPicker,
  local,
  mount,
  offlineBanner,
  onLanguageChange,
  runPairedDevice,
  saveDevice,
  startWitness,
  t,
  wsUrl,
  type DeviceCredentials,
} from '@congress/web-common';
import { tabletReducer, type TabletState } from './state';
import { deviceCredentialKey, deviceRecipient, forgetIdentity } from './keys';
import { Library } from './library';
import { Ballot } from './ballot';
import { CountingBoard } from './board';
import { Notices } from './notices';
import { Opinions } from './opinions';
import { Speak } from './speak';

const root = byId('app');
initLanguage();
initLargeType();

const DEVICE_KEY = 'congress.tablet.device';
/** Pushes drawn by the notices and opinions panels themselves. */
const GROUP_PUSHES = new Set(['notice', 'notice_read', 'opinion', 'group_summary', 'group_secretary']);
const WS_KEY = 'congress.tablet.ws';

function start(notice: string | null = null): void {
  runPairedDevice({
    root,
    kind: 'tablet',
    storageKey: DEVICE_KEY,
    title: () => t('tablet.pair_title'),
    notice,
    recipient: deviceRecipient,
    credential: deviceCredentialKey,
    run: runPaired,
  });
}

function hallCount(st: TabletState): string {
  const q = st.summary.quorum;
  return t('tablet.hall_count', { present: fmtNumber(q.present), convened: fmtNumber(q.convened) });
}

function runPaired(creds: DeviceCredentials): void {
  const ws = new WsClient<TabletState>({
    url: wsUrl('/ws/tablet'),
    token: () => creds.token,
    reducer: tabletReducer,
    storage: local(),
    storageKey: WS_KEY,
  });
  let scrolledTo: string | null = null;
  const library = new Library(() => creds.token, () => ws.state?.agenda ?? null);
  // eslint-disable-next-line prefer-const
  let ballot: Ballot<TabletState>;
  // eslint-disable-next-line prefer-const
  let countingBoard: CountingBoard<TabletState>;
  const notices = new Notices(ws);
  const api = new ApiClient({ token: () => creds.token });
  // The heads this tablet saw: checked at each connect, an alarm if the journal changed.
  startWitness(ws, api);
  const opinions = new Opinions(api, ws);
  // eslint-disable-next-line prefer-const
  let speak: Speak;

  const render = () => {
    // Persistent panels (library, opinions) are re-attached: give the focus back to what had it.
    const focused = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    const st = ws.state;
    document.title = st?.me ? `${st.me.full_name} · ${t('tablet.title')}` : t('tablet.title');
    const me = st?.me ?? null;
    const status = st?.mine?.status ?? 'absent';
    const ballotView = st ? ballot.view(st.votes ?? []) : null;
    const boardView = st ? countingBoard.view(st.votes ?? []) : null;
    keepFocus(root, () => mount(
      root,
      h(
        'header',
        { class: 'topbar' },
        h('h1', { 'data-testid': 'congress-name' }, st ? st.congress.name : t('common.loading')),
        h('div', { class: 'topbar-tools' }, connBadge(ws.conn), langPicker(), largeTypeToggle()),
        st
          ? sectionNav([
              ...(ballotView ? [{ href: '#ballot', label: t('vote.title') }] : []),
              { href: '#agenda', label: t('agenda.title') },
              { href: '#docs', label: t('docs.title') },
            ])
          : null,
      ),
      st ? offlineBanner(ws.conn) : h('div', { class: 'banner', role: 'status' }, t('common.loading')),
      st
        ? h(
            'main',
            { class: 'tablet-main' },
            ballotView,
            boardView,
            speak.view(st),
            h(
              'section',
              { class: 'panel me-card', 'aria-labelledby': 'greeting' },
              h('h2', { id: 'greeting', class: 'greeting', 'data-testid': 'greeting' }, me ? t('tablet.hello', { name: me.full_name }) : t('tablet.hello_anon')),
              me
                ? h(
                    'dl',
                    { class: 'facts' },
                    h('div', null, h('dt', null, t('delegate.seat')), h('dd', { 'data-testid': 'seat' }, me.seat)),
                    h('div', null, h('dt', null, t('delegate.group')), h('dd', { 'data-testid': 'group' }, me.group)),
                    h('div', null, h('dt', null, t('delegate.unit')), h('dd', null, me.unit)),
                    h(
                      'div',
                      null,
                      h('dt', null, t('tablet.my_status')),
                      h(
                        'dd',
                        null,
                        h('span', { class: `status status-${status}`, 'data-testid': 'my-status', 'data-status': status }, t(`status.${status}`)),
                        st.mine ? h('span', { class: 'muted' }, ` ${t('tablet.since', { time: fmtTime(st.mine.at) })}`) : null,
                      ),
                    ),
                  )
                : null,
              h(
                'p',
                { class: 'muted', 'data-testid': 'hall-count' },
                hallCount(st),
              ),
            ),
            notices.el,
            opinions.el,
            h(
              'section',
              { id: 'agenda', class: 'panel', 'aria-labelledby': 'agenda-h' },
              h('h2', { id: 'agenda-h' }, t('agenda.title')),
              h(
                'ol',
                { class: 'agenda', 'data-testid': 'agenda' },
                st.agenda.items.map((item) => {
                  const cur = item.id === st.agenda.current;
                  return h(
                    'li',
                    { class: cur ? 'current' : '', 'data-item': item.id, 'aria-current': cur ? 'step' : null },
                    h('span', { class: 'when' }, item.planned_start ? fmtLocalShort(item.planned_start) : ''),
                    h('span', { class: 'title' }, item.title),
                    cur ? h('span', { class: 'now-tag', 'data-testid': 'now-tag' }, t('agenda.now')) : null,
                  );
                }),
              ),
            ),
            library.el,
          )
        : null,
    ));
    notices.render();
    opinions.render();
    if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
    const cur = st?.agenda.current ?? null;
    if (cur && cur !== scrolledTo) {
      scrolledTo = cur;
      root.querySelector('.agenda li.current')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  };

  const unsubscribe = ws.subscribe((ev) => {
    if (ev.type === 'error' && ev.fatal && (ev.error === 'unauthorized' || ev.error === 'forbidden')) {
      // The console unpaired this tablet (or the token is no longer valid): pair again.
      saveDevice(DEVICE_KEY, null);
      // Nothing of this pairing stays: the key and the cached ciphertext go.
      void forgetIdentity();
      void globalThis.caches?.delete('congress-docs-v1');
      offLang();
      unsubscribe();
      notices.dispose();
      start(t('device.unpaired_notice'));
      return;
    }
    if (ev.type === 'state' && ev.push?.kind === 'attendance' && ev.push.record.delegate_id !== ev.state.me?.id) {
      // Someone else's check-in: only the hall count changes. Re-rendering everything on each of
      // hundreds of pushes would close an open picker under the delegate's finger.
      const el = root.querySelector('[data-testid="hall-count"]');
      if (el) {
        el.textContent = hallCount(ev.state);
        return;
      }
    }
    if (ev.type === 'state' && (ev.push?.kind === 'document' || ev.cause === 'snapshot')) void library.refresh();
    // Notices and group pushes are drawn by their own panels (no full redraw under the typing).
    if (ev.type === 'state' && ev.push && GROUP_PUSHES.has(ev.push.kind)) {
      notices.render();
      return;
    }
    if (ev.type === 'state' || ev.type === 'conn') render();
  });
  ballot = new Ballot(ws, () => render(), api);
  countingBoard = new CountingBoard(api, ws, () => render());
  announceLive(ws, { quorum: (s) => s.summary.quorum, votes: (s) => s.votes ?? [] });
  speak = new Speak(ws, () => render());
  const offLang = onLanguageChange(render);
  window.addEventListener('online', () => ws.nudge());
  render();
  ws.emitRestored();
  ws.start();
}

start();
