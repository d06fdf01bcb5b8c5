/**
 * The console's counting-board panel (docs/ballot-crypto.md, "In this server"): the secretariat
 * chooses the members the congress elected (each needs a paired tablet) and how many must act
 * together, and defines the board; everyone sees the key ceremony's phase and which members have
 * made and checked their part; the secretariat may finish the ceremony with the members who made
 * their part (a member's tablet was lost). Decryption progress is shown on each vote (votes.ts).
 */

import { errorText, field, fmtNumber, h, mount, onLanguageChange, t, type ApiClient, type BoardView, type Delegate, type WsClient } from '@congress/web-common';

/** Set once this console session has seen a counting board. */
const SEEN_KEY = 'congress.console.board.seen';

function cid(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function boardPanel<S>(api: ApiClient, ws: WsClient<S>, canManage: boolean, delegates: () => Delegate[]): HTMLElement {
  const el = h('section', { id: 'counting-board', class: 'panel board-panel', 'aria-labelledby': 'board-h', 'data-testid': 'board-panel' });
  let board: BoardView | null = null;
  let error: string | null = null;
  const chosen: string[] = [];

  const refresh = async () => {
    try {
      board = await api.request<BoardView>('GET', '/api/board');
      sessionStorage.setItem(SEEN_KEY, '1');
      error = null;
    } catch {
      board = null; // no board yet (404), or offline: the next push or snapshot brings it
    }
    render();
  };
  const post = async (path: string, body: unknown) => {
    try {
      board = await api.request<BoardView>('POST', path, body);
      error = null;
    } catch (e) {
      error = errorText(e);
    }
    render();
  };

  const memberInput = h('input', { id: 'board-member', list: 'board-delegates', autocomplete: 'off', 'data-testid': 'board-member' }) as HTMLInputElement;
  const threshold = h('input', { type: 'number', min: '1', value: '2', id: 'board-threshold', 'data-testid': 'board-threshold' }) as HTMLInputElement;
  const datalist = h('datalist', { id: 'board-delegates' });
  // The delegates arrive after the panel is drawn: the choices are filled when asked for.
  const fillChoices = () => mount(datalist, delegates().map((d) => h('option', { value: `${d.id} · ${d.full_name}` })));
  memberInput.addEventListener('focus', fillChoices);
  memberInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addMember();
    }
  });
  const chosenList = h('ul', { class: 'board-chosen', 'data-testid': 'board-chosen' });
  const name = (id: string) => delegates().find((d) => d.id === id)?.full_name ?? id;

  const addMember = () => {
    const v = memberInput.value.trim();
    const id = v.split(' · ')[0]!.trim();
    if (id && !chosen.includes(id) && delegates().some((d) => d.id === id)) chosen.push(id);
    memberInput.value = '';
    renderChosen();
    memberInput.focus();
  };
  const renderChosen = () =>
    mount(
      chosenList,
      chosen.map((id, i) =>
        h(
          'li',
          null,
          `${i + 1}. ${name(id)} `,
          h(
            'button',
            {
              type: 'button',
              class: 'btn',
              'aria-label': `${t('common.cancel')}: ${name(id)}`,
              onclick: () => {
                chosen.splice(chosen.indexOf(id), 1);
                renderChosen();
              },
            },
            '×',
          ),
        ),
      ),
    );

  const buildForm = () => {
    fillChoices();
    return h(
      'form',
      {
        class: 'board-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void post('/api/board', { client_id: cid(), members: [...chosen], threshold: Number(threshold.value) || 1 });
        },
      },
      field(t('board.members'), memberInput),
      datalist,
      h('button', { type: 'button', 'data-testid': 'board-add', onclick: addMember }, '+'),
      chosenList,
      field(t('board.threshold'), threshold),
      h('button', { type: 'submit', 'data-testid': 'board-define' }, t('board.define')),
    );
  };

  const status = h('div', { 'data-testid': 'board-status' });
  function render(): void {
    const b = board;
    mount(
      status,
      error ? h('div', { class: 'error', role: 'alert', 'data-testid': 'board-error' }, error) : null,
      !b
        ? h('p', { class: 'muted' }, t('board.none'))
        : h(
            'div',
            { 'data-testid': 'board-view', 'data-phase': b.phase.phase },
            h('p', { 'data-testid': 'board-phase' }, t('board.phase_label', { phase: t(`board.phase.${b.phase.phase}`) }), ` · ${fmtNumber(b.threshold)}/${fmtNumber(b.members.length)}`),
            b.phase.phase === 'failed' ? h('p', { class: 'error' }, t('board.failed', { reason: b.phase.reason })) : null,
            h(
              'ul',
              { class: 'board-members' },
              b.members.map((m) =>
                h(
                  'li',
                  { 'data-testid': `board-member-${m.index}`, 'data-dealt': String(m.dealt), 'data-checked': String(m.checked) },
                  `${m.index}. ${m.full_name || m.delegate_id} — `,
                  m.checked ? t('board.member_checked') : m.dealt ? t('board.member_dealt') : t('board.member_waiting'),
                ),
              ),
            ),
            b.joint_key ? h('p', { class: 'muted' }, `${t('board.joint_key')}: `, h('code', { dir: 'ltr' }, b.joint_key.slice(0, 16) + '…')) : null,
            canManage && (b.phase.phase === 'dealing' || b.phase.phase === 'checking')
              ? h('button', { type: 'button', 'data-testid': 'board-finish', onclick: () => void post('/api/board/finish', { client_id: cid() }) }, t('board.finish'))
              : null,
          ),
    );
  }

  // The panel is folded until needed. `GET /api/board` answers 404 before there is a board, so
  // the console asks only when a board is known (seen in this session) or when
  // the operator unfolds the panel; every board change is pushed.
  const details = h('details', { class: 'board-details', 'data-testid': 'board-details' }) as HTMLDetailsElement;
  details.addEventListener('toggle', () => {
    if (details.open) void refresh();
  });
  const draw = () => {
    mount(details, h('summary', null, h('h2', { id: 'board-h' }, t('board.title'))), canManage ? buildForm() : null, status);
    mount(el, details);
    renderChosen();
    render();
  };
  ws.subscribe((ev) => {
    if (ev.type === 'state' && ev.push?.kind === 'board') {
      board = ev.push.board;
      sessionStorage.setItem(SEEN_KEY, '1');
      render();
    } else if (ev.type === 'state' && ev.cause === 'snapshot' && (details.open || sessionStorage.getItem(SEEN_KEY))) void refresh();
  });
  onLanguageChange(() => {
    if (el.isConnected) draw();
  });
  draw();
  return el;
}
