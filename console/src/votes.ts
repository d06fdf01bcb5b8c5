/**
 * The console's votes panel: create (motion, choice, election; open or secret; countdown), open,
 * close, runoff; live turnout (and tally where the vote shows it) and who has not voted (open
 * votes only), coalesced by the server; results with CSV and JSON export.
 */

import { field, fmtNumber, h, mount, onLanguageChange, t, errorText, type ApiClient, type VoteInfo, type VoteLive, type WsClient } from '@congress/web-common';
import { decryptingLine, resultBars } from './voteview';

function cid(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function votesPanel<S>(api: ApiClient, ws: WsClient<S>, token: () => string | null): HTMLElement {
  const el = h('section', { id: 'votes', class: 'panel votes-panel', 'aria-labelledby': 'votes-h', 'data-testid': 'votes' });
  let votes: VoteInfo[] = [];
  const live = new Map<number, VoteLive>();
  let error: string | null = null;

  const refresh = async () => {
    try {
      votes = await api.request<VoteInfo[]>('GET', '/api/votes');
      error = null;
    } catch (e) {
      error = errorText(e);
    }
    render();
  };
  const act = async (id: number, action: string) => {
    try {
      await api.request('POST', `/api/votes/${id}/${action}`, { client_id: cid() });
      error = null;
    } catch (e) {
      error = errorText(e);
    }
    await refresh();
  };
  const download = async (id: number, ext: 'csv' | 'json') => {
    const r = await fetch(`/api/votes/${id}/result.${ext}`, { headers: { authorization: `Bearer ${token() ?? ''}` } });
    const blob = await r.blob();
    const a = h('a', { href: URL.createObjectURL(blob), download: `vote-${id}.${ext}` });
    a.click();
  };

  const title = h('input', { type: 'text', id: 'vote-title', 'data-testid': 'vote-title' }) as HTMLInputElement;
  const kind = h('select', { id: 'vote-kind', 'data-testid': 'vote-kind' }) as HTMLSelectElement;
  const kindOptions = () => {
    const v = kind.value || 'motion';
    mount(kind, (['motion', 'choice', 'election'] as const).map((k) => h('option', { value: k }, t(`vote.kind.${k}`))));
    kind.value = v;
  };
  const options = h('textarea', { rows: 3, id: 'vote-options', 'data-testid': 'vote-options' }) as HTMLTextAreaElement;
  const seats = h('input', { type: 'number', min: '1', value: '1', id: 'vote-seats', 'data-testid': 'vote-seats' }) as HTMLInputElement;
  const secret = h('input', { type: 'checkbox', 'data-testid': 'vote-secret' }) as HTMLInputElement;
  const running = h('input', { type: 'checkbox', checked: true, 'data-testid': 'vote-running' }) as HTMLInputElement;
  const duration = h('input', { type: 'number', min: '0', value: '60', id: 'vote-duration', 'data-testid': 'vote-duration' }) as HTMLInputElement;

  const create = async () => {
    const labels = options.value.split('\n').map((s) => s.trim()).filter(Boolean);
    const opts = labels.map((label, i) => ({ id: i + 1, label }));
    const k =
      kind.value === 'choice'
        ? { kind: 'choice' as const, options: opts }
        : kind.value === 'election'
          ? { kind: 'election' as const, seats: Number(seats.value) || 1, candidates: opts }
          : { kind: 'motion' as const };
    const d = Number(duration.value);
    try {
      await api.request('POST', '/api/votes', {
        client_id: cid(),
        title: title.value.trim(),
        kind: k,
        secrecy: secret.checked ? 'secret' : 'open',
        show_running_tally: running.checked,
        duration_s: d > 0 ? d : null,
      });
      title.value = '';
      options.value = '';
      error = null;
    } catch (e) {
      error = errorText(e);
    }
    await refresh();
  };

  // The form is rebuilt around the same controls when the language changes (what was typed stays).
  const buildForm = () => h('form', { class: 'vote-form', onsubmit: (e: Event) => { e.preventDefault(); void create(); } },
    field(t('vote.title_label'), title),
    field(t('vote.kind'), kind),
    field(t('vote.options_hint'), options),
    field(t('vote.seats'), seats),
    h('label', { class: 'check' }, secret, ' ', t('vote.secret')),
    h('label', { class: 'check' }, running, ' ', t('vote.running_tally')),
    field(t('vote.duration'), duration),
    h('button', { type: 'submit', 'data-testid': 'vote-create' }, t('vote.create')),
  );
  const list = h('div');

  function render(): void {
    mount(list,
      error ? h('div', { class: 'error', role: 'alert' }, error) : null,
      votes.slice().reverse().map((v) => {
        const id = v.spec.id;
        const l = live.get(id);
        const st = v.phase.state;
        return h('article', { class: `vote vote-${st}`, 'data-testid': `vote-${id}`, 'data-state': st },
          h('h3', null, `#${id} ${v.spec.title}`),
          h('p', { class: 'muted' }, `${t(`vote.state.${st}`)} · ${v.spec.secrecy === 'secret' ? t('vote.secret') : t('vote.open_vote')}`, v.encryption ? h('span', { class: 'tag', 'data-testid': `encrypted-${id}` }, ` · ${t('vote.encrypted')}`) : null),
          st === 'open'
            ? h('p', { 'data-testid': `turnout-${id}` }, t('vote.turnout', { cast: fmtNumber(l?.cast ?? v.cast) }), l ? ` / ${fmtNumber(l.present)}` : '')
            : null,
          st === 'open' && l?.counts ? resultBars(v, l.counts) : null,
          st === 'open' && l?.not_voted ? h('details', null, h('summary', null, t('vote.not_voted', { n: l.not_voted.length })), h('p', { 'data-testid': `not-voted-${id}` }, l.not_voted.join(', '))) : null,
          st === 'closed' && v.result ? resultBars(v, v.result.counts, v.result.outcome.outcome) : null,
          decryptingLine(v, `decrypting-${id}`),
          h('div', { class: 'vote-actions' },
            st === 'draft' ? h('button', { 'data-testid': `open-${id}`, 'aria-label': `${t('vote.open')}: ${v.spec.title}`, onclick: () => void act(id, 'open') }, t('vote.open')) : null,
            st === 'open' ? h('button', { 'data-testid': `close-${id}`, 'aria-label': `${t('vote.close')}: ${v.spec.title}`, onclick: () => void act(id, 'close') }, t('vote.close')) : null,
            st === 'closed' ? h('button', { onclick: () => void act(id, 'runoff') }, t('vote.runoff')) : null,
            st === 'closed' ? h('button', { onclick: () => void download(id, 'csv') }, t('vote.export_csv')) : null,
            st === 'closed' ? h('button', { onclick: () => void download(id, 'json') }, t('vote.export_json')) : null,
          ),
        );
      }),
    );
  }

  ws.subscribe((ev) => {
    if (ev.type === 'state' && (ev.cause === 'snapshot' || ev.push?.kind === 'vote')) void refresh();
    if (ev.type === 'message' && ev.msg.type === 'vote_live') {
      live.set(ev.msg.live.vote_id, ev.msg.live);
      render();
    }
  });
  const draw = () => {
    kindOptions();
    mount(el, h('h2', { id: 'votes-h' }, t('vote.title')), buildForm(), list);
    render();
  };
  onLanguageChange(() => {
    if (el.isConnected) draw();
  });
  draw();
  void refresh();
  return el;
}
