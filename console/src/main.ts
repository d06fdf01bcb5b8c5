/**
 * Operator console: login, live attendance and quorum, the delegate list with the credentials
 * desk's manual check-in, the agenda's current item, and device pairing.
 */

import '@congress/web-common/styles.css';
import './console.css';
import {
  ApiClient,
  ApiError,
  WsClient,
  announceLive,
  byId,
  initLargeType,
  largeTypeToggle,
  sectionNav,
  connBadge,
  errorBox,
  field,
  fmtDateTime,
  fmtTime,
  h,
  initLanguage,
  langPicker,
  mount,
  offlineBanner,
  onLanguageChange,
  session,
  startWitness,
  t,
  wsUrl,
  type AttendanceRecord,
  type ConnState,
  type Delegate,
  type Device,
  type DeviceKind,
  type OperatorRole,
} from '@congress/web-common';
import { votesPanel } from './votes';
import { boardPanel } from './board';
import { clearSession, loadSession, saveSession, type OperatorSession } from './session';
import { consoleReducer, mergeRecords, type ConsoleState } from './state';
import { quorumPanel } from './quorum';
import { DelegateTable } from './delegates';
import { FacePanel, openEnrolDialog } from './face';
import { askDialog } from './dialog';
import { DocumentsPanel } from './documents';
import { NoticesPanel } from './notices';
import { GroupsPanel } from './groups';
import { MeetingConsole } from './meeting';
import { AuditPanel, MinutesPanel } from './reports';
import { trustPanel } from './trust';

const root = byId('app');
initLanguage();
initLargeType();

let sessionNotice: string | null = null;
let onLogin = false;
onLanguageChange(() => {
  if (onLogin) renderLogin();
});

function start(): void {
  const s = loadSession();
  if (s) startMain(s);
  else renderLogin();
}

// ---------------------------------------------------------------- login

function renderLogin(): void {
  onLogin = true;
  document.title = t('console.title');
  const api = new ApiClient({ token: () => null });
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-user' });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-pass' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-xl', 'data-testid': 'login-submit' }, t('login.submit'));
  const form = h(
    'form',
    {
      class: 'login-form panel',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!user.value.trim() || !pass.value) {
          mount(status, h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, t('login.missing'))));
          return;
        }
        submit.disabled = true;
        mount(status, h('p', { class: 'muted' }, t('common.working')));
        try {
          const res = await api.login({ username: user.value.trim(), password: pass.value });
          const s: OperatorSession = { token: res.token, operator: res.operator, expires_at: res.expires_at };
          saveSession(s);
          sessionNotice = null;
          startMain(s);
        } catch (err) {
          submit.disabled = false;
          const box =
            err instanceof ApiError && err.code === 'unauthorized'
              ? h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, t('login.bad_credentials')))
              : errorBox(err);
          mount(status, box);
          pass.select();
        }
      },
    },
    field(t('login.username'), user),
    field(t('login.password'), pass),
    submit,
    status,
  );
  mount(
    root,
    h(
      'main',
      { class: 'login-screen' },
      h('div', { class: 'topbar-tools login-tools' }, langPicker(), largeTypeToggle()),
      h('h1', null, t('console.title')),
      sessionNotice ? h('div', { class: 'banner', role: 'status' }, sessionNotice) : null,
      form,
    ),
  );
  user.focus();
}

// ---------------------------------------------------------------- main view

const ROLES_ATTENDANCE: OperatorRole[] = ['admin', 'credentials'];
const ROLES_AGENDA: OperatorRole[] = ['admin', 'secretariat'];
const ROLES_PAIR: OperatorRole[] = ['admin', 'secretariat', 'credentials'];
const ROLES_UNPAIR: OperatorRole[] = ['admin', 'secretariat'];

let stopMain: (() => void) | null = null;

function startMain(sess: OperatorSession): void {
  onLogin = false;
  stopMain?.();
  const can = (roles: OperatorRole[]) => sess.operator.roles.some((r) => roles.includes(r));

  const logout = (notice: string | null) => {
    sessionNotice = notice;
    stopMain?.();
    stopMain = null;
    clearSession();
    renderLogin();
  };

  const api = new ApiClient({
    token: () => sess.token,
    onUnauthorized: () => logout(t('login.expired')),
  });

  const ws: WsClient<ConsoleState> = new WsClient<ConsoleState>({
    url: wsUrl('/ws/console'),
    token: () => sess.token,
    reducer: consoleReducer(() => ws.state),
    storage: session(),
    storageKey: 'congress.console.ws',
  });

  let delegates: Delegate[] = [];
  const delegatesById = new Map<string, Delegate>();
  let devices: Device[] = [];
  let loadError: unknown = null;
  let lastCode: { code: string; kind: DeviceKind; delegate_id: string | null; expires_at: number } | null = null;

  const face = new FacePanel(api, () => sess.token);
  const canEnrol = can(['admin', 'credentials', 'secretariat']);
  const table = new DelegateTable({
    canChange: can(ROLES_ATTENDANCE),
    onAction: (d, status) => void changeAttendance(d, status),
    extra: (d) =>
      canEnrol && face.enabled
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn',
              'data-testid': 'enrol',
              'aria-label': `${face.isEnrolled(d.id) ? t('face.enrolled') : t('face.enrol')}: ${d.full_name}`,
              onclick: () => openEnrolDialog(api, d, () => void face.poll()),
            },
            face.isEnrolled(d.id) ? [t('face.enrolled'), h('span', { 'aria-hidden': 'true' }, ' ✓')] : t('face.enrol'),
          )
        : null,
  });
  face.onEnrolledChange = () => table.setDelegates(delegates, ws.state?.records ?? {});
  face.start();

  // Containers that are refreshed independently.
  const bannerSlot = h('div');
  // A security alarm from the server (wrong pairing codes from the network): stays until read.
  const alarmSlot = h('div');
  const connSlot = h('span');
  const congressName = h('h1', { 'data-testid': 'congress-name' });
  const quorumSlot = h('section', { id: 'quorum', class: 'panel quorum-panel', 'aria-labelledby': 'quorum-h', 'data-testid': 'quorum' });
  const devicesSlot = h('section', { id: 'devices', class: 'panel', 'aria-labelledby': 'devices-h' });
  const votesSlot = votesPanel(api, ws, () => sess.token);
  const boardSlot = boardPanel(api, ws, can(['admin', 'secretariat']), () => delegates);
  const meeting = new MeetingConsole(api, ws, can(ROLES_AGENDA), (id) => delegatesById.get(id)?.full_name ?? id);
  const trust = trustPanel(api);
  // This console's witness heads: checked at each connect, an alarm if the journal changed.
  const stopWitness = startWitness(ws, api);
  const errorSlot = h('div');
  const noticesPanel = new NoticesPanel(api, ws, can(ROLES_AGENDA), () => delegates);
  const groupsPanel = new GroupsPanel(api, ws, can(ROLES_AGENDA), () => delegates, () => ws.state?.agenda ?? null);
  const canReports = can(['admin', 'secretariat', 'observer']);
  const minutesPanel = canReports ? new MinutesPanel(() => sess.token) : null;
  const auditPanel = canReports ? new AuditPanel(api) : null;
  const docsPanel = new DocumentsPanel(api, () => sess.token, () => ws.state?.agenda ?? null, sess.operator.roles.some((r) => r === 'admin' || r === 'secretariat'));

  function renderShell(): void {
    document.title = t('console.title');
    mount(
      root,
      h(
        'header',
        { class: 'topbar' },
        congressName,
        h(
          'div',
          { class: 'topbar-tools' },
          h('span', { 'data-testid': 'operator' }, sess.operator.display_name || sess.operator.username),
          connSlot,
          langPicker(),
          largeTypeToggle(),
          h('button', { type: 'button', onclick: openProjector }, t('console.open_projector')),
          h('button', { type: 'button', 'data-testid': 'logout', onclick: () => void doLogout() }, t('console.logout')),
        ),
        sectionNav([
          { href: '#quorum', label: t('quorum.title') },
          { href: '#votes', label: t('vote.title') },
          { href: '#counting-board', label: t('board.title') },
          { href: '#agenda', label: t('agenda.title') },
          { href: '#speakers', label: t('meeting.speakers_title') },
          { href: '#scenes', label: t('meeting.scene_title') },
          { href: '#notices', label: t('notices.title') },
          { href: '#groups', label: t('groups.title') },
          { href: '#devices', label: t('device.title') },
          { href: '#trust', label: t('trust.title') },
          { href: '#face', label: t('face.kiosks') },
          { href: '#documents', label: t('docs.title') },
          { href: '#delegates', label: t('delegate.title') },
          ...(canReports
            ? [
                { href: '#minutes', label: t('minutes.title') },
                { href: '#audit', label: t('audit.title') },
              ]
            : []),
        ]),
      ),
      bannerSlot,
      alarmSlot,
      errorSlot,
      h(
        'main',
        { class: 'console-grid' },
        h('div', { class: 'console-side' }, quorumSlot, meeting.agendaEl, meeting.projectorEl, votesSlot, boardSlot, noticesPanel.el, devicesSlot, trust.el, face.slot, minutesPanel?.el ?? null),
        h('div', { class: 'console-main' }, meeting.speakersEl, groupsPanel.el, docsPanel.el, table.element(), auditPanel?.el ?? null),
      ),
    );
    renderAll();
  }

  function renderAll(): void {
    renderConn(ws.conn);
    renderCongress();
    renderQuorum();
    renderDevices();
    face.render();
    noticesPanel.render();
    groupsPanel.render();
    minutesPanel?.render();
    auditPanel?.render();
    if (loadError) mount(errorSlot, errorBox(loadError));
    else mount(errorSlot);
  }

  function renderConn(conn: ConnState): void {
    mount(connSlot, connBadge(conn));
    mount(bannerSlot, ws.state ? offlineBanner(conn) : conn === 'online' ? null : h('div', { class: 'banner', role: 'status' }, t('common.loading')));
  }

  function renderCongress(): void {
    const c = ws.state?.congress;
    congressName.textContent = c ? c.name : t('common.loading');
  }

  function renderQuorum(): void {
    const st = ws.state;
    mount(quorumSlot, st ? quorumPanel(st.summary, 'quorum-h') : h('p', null, t('common.loading')));
  }


  // ---- devices
  // The pairing form is built once per language; the code box and the device list refresh on
  // their own, so a device paired elsewhere never wipes what the operator is typing.

  const codeSlot = h('div');
  const listSlot = h('div');

  function renderDevices(): void {
    mount(
      devicesSlot,
      h('h2', { id: 'devices-h' }, t('device.title')),
      can(ROLES_PAIR) ? buildDevicesForm() : null,
      codeSlot,
      h('h3', null, t('device.paired')),
      listSlot,
    );
    renderCodeBox();
    renderDeviceList();
  }

  function buildDevicesForm(): HTMLFormElement {
    const kindSel = h(
      'select',
      { id: 'pair-kind', 'data-testid': 'pair-kind' },
      (['tablet', 'kiosk', 'projector'] as DeviceKind[]).map((k) => h('option', { value: k }, t(`device.kind.${k}`))),
    );
    const delegateInput = h('input', { id: 'pair-delegate', list: 'delegate-options', autocomplete: 'off', 'data-testid': 'pair-delegate', placeholder: t('device.delegate_placeholder') });
    const datalist = h('datalist', { id: 'delegate-options' }, delegates.map((d) => h('option', { value: `${d.id} · ${d.full_name}` })));
    const labelInput = h('input', { id: 'pair-label', 'data-testid': 'pair-label' });
    const dirSel = h(
      'select',
      { id: 'pair-direction' },
      h('option', { value: 'entrance' }, t('device.direction.entrance')),
      h('option', { value: 'exit' }, t('device.direction.exit')),
    );
    const delegateField = field(t('device.delegate'), delegateInput, t('device.delegate_hint'));
    const dirField = field(t('device.direction'), dirSel);
    const formStatus = h('div', { 'aria-live': 'polite' });
    const sync = () => {
      delegateField.hidden = kindSel.value !== 'tablet';
      dirField.hidden = kindSel.value !== 'kiosk';
    };
    kindSel.addEventListener('change', sync);
    sync();

    return h(
      'form',
      {
        class: 'pair-create',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const kind = kindSel.value as DeviceKind;
          let delegate_id: string | null = null;
          if (kind === 'tablet') {
            delegate_id = resolveDelegate(delegateInput.value);
            if (!delegate_id) {
              mount(formStatus, h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, t('device.pick_delegate'))));
              delegateInput.focus();
              return;
            }
          }
          mount(formStatus, h('p', { class: 'muted' }, t('common.working')));
          try {
            lastCode = await api.createPairingCode({
              kind,
              delegate_id,
              label: labelInput.value.trim() || null,
              direction: kind === 'kiosk' ? (dirSel.value as 'entrance' | 'exit') : null,
            });
            mount(formStatus);
            delegateInput.value = '';
            labelInput.value = '';
            renderCodeBox();
            codeSlot.querySelector<HTMLElement>('[data-testid="pairing-code-box"]')?.focus();
          } catch (err) {
            mount(formStatus, errorBox(err));
          }
        },
      },
      field(t('device.kind'), kindSel),
      delegateField,
      datalist,
      dirField,
      field(t('device.label'), labelInput, t('device.label_hint')),
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'pair-create' }, t('device.create_code')),
      formStatus,
    );
  }

  function renderCodeBox(): void {
    const c = lastCode;
    if (!c) {
      mount(codeSlot);
      return;
    }
    const who = c.delegate_id ? (delegatesById.get(c.delegate_id)?.full_name ?? c.delegate_id) : null;
    const box = h(
      'div',
      { class: 'code-box', role: 'status', tabindex: '-1', 'data-testid': 'pairing-code-box' },
      h('p', null, t('device.code_for', { kind: t(`device.kind.${c.kind}`) }), who ? h('strong', null, ` ${who}`) : null),
      h('div', { class: 'code-big', 'data-testid': 'pairing-code', 'aria-label': c.code.split('').join(' ') }, `${c.code.slice(0, 4)} ${c.code.slice(4)}`),
      h('p', { class: 'muted' }, t('device.code_expires', { time: fmtTime(c.expires_at) })),
    );
    mount(codeSlot, box);
  }

  function renderDeviceList(): void {
    const active = devices.filter((d) => !d.revoked);
    mount(
      listSlot,
      h(
        'ul',
        { class: 'device-list', 'data-testid': 'devices' },
        active.length === 0 ? h('li', { class: 'muted' }, t('device.none')) : null,
        active.map((d) =>
          h(
            'li',
            { 'data-device': d.id },
            h(
              'div',
              null,
              h('strong', null, t(`device.kind.${d.kind}`)),
              ' ',
              d.label,
              // the delegate's name, unless the label already is that name
              d.delegate_id && (delegatesById.get(d.delegate_id)?.full_name ?? d.delegate_id) !== d.label
                ? h('div', null, delegatesById.get(d.delegate_id)?.full_name ?? d.delegate_id)
                : null,
              h('div', { class: 'muted small' }, t('device.paired_at', { time: fmtDateTime(d.paired_at) })),
            ),
            can(ROLES_UNPAIR)
              ? h('button', { type: 'button', class: 'btn btn-danger', 'aria-label': `${t('device.unpair')}: ${d.label}`, onclick: () => void unpair(d) }, t('device.unpair'))
              : null,
          ),
        ),
      ),
    );
  }

  function resolveDelegate(text: string): string | null {
    const s = text.trim();
    if (!s) return null;
    const id = s.split(/\s*·\s*/)[0]!.trim();
    if (delegatesById.has(id)) return id;
    const upper = id.toUpperCase();
    if (delegatesById.has(upper)) return upper;
    const byName = delegates.filter((d) => d.full_name.normalize('NFC') === s.normalize('NFC'));
    return byName.length === 1 ? byName[0]!.id : null;
  }

  // ---- actions

  async function changeAttendance(d: Delegate, status: 'present' | 'left'): Promise<void> {
    const defaultReason = status === 'present' ? t('attendance.reason_default_in') : t('attendance.reason_default_out');
    await askDialog({
      title: status === 'present' ? t('attendance.check_in_title', { name: d.full_name }) : t('attendance.mark_left_title', { name: d.full_name }),
      body: `${d.id} · ${d.unit} · ${t('delegate.seat')} ${d.seat}`,
      reason: { label: t('attendance.reason'), value: defaultReason, hint: t('attendance.reason_hint') },
      confirm: status === 'present' ? t('attendance.check_in') : t('attendance.mark_left'),
      // one client_id per dialog: pressing confirm again after a failure retries the same request
      run: async (reason, clientId) => {
        const ack = await api.setAttendance({ client_id: clientId, delegate_id: d.id, status, reason });
        applyRecord(ack.record);
        if (ws.state && (ws.lastSeq === null || ack.seq > ws.lastSeq)) {
          ws.state = { ...ws.state, summary: ack.summary };
          renderQuorum();
        }
      },
    });
  }

  function applyRecord(rec: AttendanceRecord): void {
    if (!ws.state) return;
    ws.state = { ...ws.state, records: mergeRecords(ws.state.records, [rec]) };
    table.updateRecord(ws.state.records[rec.delegate_id] ?? null, rec.delegate_id);
  }


  async function unpair(d: Device): Promise<void> {
    await askDialog({
      title: t('device.unpair_title'),
      body: `${t(`device.kind.${d.kind}`)} ${d.label}`,
      confirm: t('device.unpair'),
      danger: true,
      run: async () => {
        const revoked = await api.unpair(d.id);
        upsertDevice(revoked);
      },
    });
  }

  function upsertDevice(d: Device): void {
    const i = devices.findIndex((x) => x.id === d.id);
    if (i >= 0) devices[i] = d;
    else devices.push(d);
    renderDeviceList();
  }

  function openProjector(): void {
    // window.open without noopener copies this tab's sessionStorage (the operator token).
    window.open(new URL('projector.html', location.href).href, 'congress-projector');
  }

  async function doLogout(): Promise<void> {
    face.stop();
    try {
      await api.logout();
    } catch {
      /* the token is dropped locally anyway */
    }
    logout(null);
  }

  // ---- data loading

  async function loadDelegates(): Promise<void> {
    try {
      delegates = await api.delegates();
      delegatesById.clear();
      for (const d of delegates) delegatesById.set(d.id, d);
      table.setDelegates(delegates, ws.state?.records ?? {});
      meeting.redraw();
      loadError = null;
    } catch (err) {
      loadError = err;
    }
    renderAll();
  }

  async function loadAttendance(): Promise<void> {
    try {
      const list = await api.attendance();
      if (!ws.state) return;
      ws.state = { ...ws.state, records: mergeRecords(ws.state.records, list.records) };
      table.updateAll(ws.state.records);
    } catch (err) {
      loadError = err;
      renderAll();
    }
  }

  async function loadDevices(): Promise<void> {
    try {
      devices = await api.devices();
      renderDeviceList();
    } catch (err) {
      loadError = err;
      renderAll();
    }
  }

  const unsubscribe = ws.subscribe((ev) => {
    switch (ev.type) {
      case 'conn':
        renderConn(ev.conn);
        break;
      case 'state':
        if (ev.cause === 'snapshot' || ev.cause === 'restored') {
          renderCongress();
          renderQuorum();
          table.updateAll(ev.state.records);
          renderConn(ws.conn);
          if (ev.cause === 'snapshot') void loadAttendance();
          docsPanel.render();
          void docsPanel.refresh();
          void auditPanel?.refresh();
        } else if (ev.push) {
          const p = ev.push;
          auditPanel?.poke();
          if (p.kind === 'attendance') {
            table.updateRecord(ev.state.records[p.record.delegate_id] ?? null, p.record.delegate_id);
            renderQuorum();
          } else if (p.kind === 'delegates') {
            void loadDelegates();
          } else if (p.kind === 'device') {
            upsertDevice(p.device);
          } else if (p.kind === 'document') {
            void docsPanel.refresh();
          }
        }
        break;
      case 'error':
        if (ev.fatal && (ev.error === 'unauthorized' || ev.error === 'forbidden')) logout(t('login.expired'));
        break;
      case 'welcome':
        break;
      case 'message':
        if (ev.msg.type === 'security_alarm' && (ev.msg.alarm.kind === 'pairing_guesses' || ev.msg.alarm.kind === 'journal_rewritten')) {
          const key = ev.msg.alarm.kind === 'pairing_guesses' ? 'alarm.pairing_guesses' : 'alarm.journal_rewritten';
          const dismiss = h('button', { type: 'button', 'data-testid': 'security-alarm-dismiss' }, t('alarm.dismiss'));
          dismiss.addEventListener('click', () => mount(alarmSlot));
          mount(
            alarmSlot,
            h(
              'div',
              { class: 'error', role: 'alert', 'data-testid': 'security-alarm' },
              h('strong', null, t(key, { time: fmtTime(ev.msg.alarm.at) })),
              ' ',
              ev.msg.alarm.kind === 'journal_rewritten' ? h('span', { class: 'alarm-detail' }, ev.msg.alarm.message, ' ') : null,
              dismiss,
            ),
          );
        }
        break;
    }
  });

  const onOnline = () => ws.nudge();
  window.addEventListener('online', onOnline);
  const offLang = onLanguageChange(() => {
    table.relabel();
    renderShell();
    void auditPanel?.refresh();
  });

  stopMain = () => {
    unsubscribe();
    offAnnounce();
    offLang();
    trust.stop();
    stopWitness();
    window.removeEventListener('online', onOnline);
    ws.stop(true);
  };

  const offAnnounce = announceLive(ws, { quorum: (s) => s.summary.quorum });
  renderShell();
  ws.emitRestored();
  ws.start();
  void loadDelegates();
  void loadDevices();
}

start();
