/**
 * The console's meeting panels: agenda control (status, time plan, start/close, votes linked to
 * the current item), the speakers' queue (reorder, give the floor with a time limit, extend,
 * stop, remove, add on a delegate's behalf) and the projector's scene switcher. The meeting view
 * comes from `GET /api/meeting` after each snapshot and then from `meeting` pushes. Forms are
 * built once (so a push never wipes what the operator is typing); lists are redrawn.
 */

import {
  countdown,
  field,
  fmtLocalShort,
  fmtTime,
  h,
  meetingErrorText,
  errorDetail,
  mount,
  noteServerTime,
  onLanguageChange,
  t,
  type ApiClient,
  type ItemRun,
  type MeetingView,
  type ProjectorScene,
  type SpeakerKind,
  type SpeakerRequest,
  type VoteInfo,
  type WsClient,
} from '@congress/web-common';
import type { ConsoleState } from './state';
import './meeting.css';

function cid(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return 'm-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const SCENES = ['agenda', 'speaker', 'vote', 'result', 'quorum'] as const;
const KINDS: SpeakerKind[] = ['normal', 'reply', 'point_of_order'];

export class MeetingConsole {
  readonly agendaEl = h('section', { id: 'agenda', class: 'panel meeting-agenda', 'aria-labelledby': 'magenda-h', 'data-testid': 'meeting-agenda' });
  readonly speakersEl = h('section', { id: 'speakers', class: 'panel speakers-panel', 'aria-labelledby': 'speakers-h', 'data-testid': 'speakers' });
  readonly projectorEl = h('section', { id: 'scenes', class: 'panel scenes-panel', 'aria-labelledby': 'scenes-h', 'data-testid': 'scenes' });

  private view: MeetingView | null = null;
  private votes: VoteInfo[] = [];
  private errors: Record<'agenda' | 'speakers' | 'scenes', HTMLElement> = {
    agenda: h('div', { 'aria-live': 'polite' }),
    speakers: h('div', { 'aria-live': 'polite' }),
    scenes: h('div', { 'aria-live': 'polite' }),
  };
  private agendaList = h('div');
  private speakingSlot = h('div');
  private queueSlot = h('div');
  private sceneSlot = h('div');
  private planItem!: HTMLSelectElement;
  private planStart!: HTMLInputElement;
  private planMinutes!: HTMLInputElement;
  private planLimit!: HTMLInputElement;
  private linkSelect!: HTMLSelectElement;
  private grantLimit!: HTMLInputElement;
  private addDelegate!: HTMLInputElement;
  private addKind!: HTMLSelectElement;
  private noticeText!: HTMLTextAreaElement;

  constructor(
    private readonly api: ApiClient,
    private readonly ws: WsClient<ConsoleState>,
    private readonly canManage: boolean,
    private readonly nameOf: (delegateId: string) => string,
  ) {
    ws.subscribe((ev) => {
      if (ev.type !== 'state') return;
      if (ev.cause === 'snapshot' || ev.cause === 'restored') {
        void this.refresh();
      } else if (ev.push?.kind === 'meeting') {
        this.set(ev.push.meeting);
      } else if (ev.push?.kind === 'agenda') {
        this.renderLists();
      } else if (ev.push?.kind === 'vote') {
        void this.refreshVotes();
      }
    });
    onLanguageChange(() => this.build());
    this.build();
  }

  /** Fetches the whole meeting (after a snapshot) and the votes. */
  async refresh(): Promise<void> {
    try {
      this.set(await this.api.request<MeetingView>('GET', '/api/meeting'));
    } catch (e) {
      this.fail('agenda', e);
    }
    await this.refreshVotes();
  }

  private async refreshVotes(): Promise<void> {
    try {
      this.votes = await this.api.request<VoteInfo[]>('GET', '/api/votes');
    } catch {
      this.votes = [];
    }
    this.renderLists();
  }

  private set(v: MeetingView): void {
    noteServerTime(v);
    this.view = v;
    this.renderLists();
  }

  private current(): string | null {
    return this.ws.state?.agenda.current ?? null;
  }

  private fail(where: keyof MeetingConsole['errors'], e: unknown): void {
    const detail = errorDetail(e);
    mount(
      this.errors[where],
      h('div', { class: 'error', role: 'alert', 'data-testid': `${where}-error` }, h('strong', null, meetingErrorText(e)), detail ? h('span', { class: 'error-detail' }, detail) : null),
    );
  }

  /** Runs an operator action; its answer carries the meeting after it. */
  private async act(where: keyof MeetingConsole['errors'], method: string, path: string, body: Record<string, unknown> = {}): Promise<boolean> {
    try {
      const ack = await this.api.request<{ meeting: MeetingView }>(method, path, { client_id: cid(), ...body });
      mount(this.errors[where]);
      this.set(ack.meeting);
      return true;
    } catch (e) {
      this.fail(where, e);
      return false;
    }
  }

  // ------------------------------------------------------------------ building (once per language)

  private build(): void {
    const items = () => this.ws.state?.agenda.items ?? [];
    // Agenda: the time plan editor.
    this.planItem = h('select', { 'data-testid': 'plan-item' }) as HTMLSelectElement;
    this.planStart = h('input', { type: 'datetime-local', 'data-testid': 'plan-start' }) as HTMLInputElement;
    this.planMinutes = h('input', { type: 'number', min: '1', max: '1440', 'data-testid': 'plan-minutes' }) as HTMLInputElement;
    this.planLimit = h('input', { type: 'number', min: '10', max: '3600', 'data-testid': 'plan-limit' }) as HTMLInputElement;
    const fillPlan = () => {
      const item = items().find((i) => i.id === this.planItem.value);
      this.planStart.value = item?.planned_start ?? '';
      this.planMinutes.value = item?.planned_minutes != null ? String(item.planned_minutes) : '';
      const run = this.view?.items.find((r) => r.item_id === this.planItem.value);
      this.planLimit.value = run?.speaker_limit_s != null ? String(run.speaker_limit_s) : '';
    };
    this.planItem.addEventListener('change', fillPlan);
    const num = (el: HTMLInputElement) => (el.value.trim() === '' ? null : Number(el.value));
    const planForm = h(
      'details',
      { class: 'plan-editor' },
      h('summary', null, t('meeting.plan')),
      h(
        'form',
        {
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.act('agenda', 'PUT', `/api/meeting/items/${encodeURIComponent(this.planItem.value)}/plan`, {
              planned_start: this.planStart.value.trim() || null,
              planned_minutes: num(this.planMinutes),
              speaker_limit_s: num(this.planLimit),
            });
          },
        },
        field(t('agenda.title'), this.planItem),
        field(t('meeting.planned_start'), this.planStart),
        field(t('meeting.planned_minutes'), this.planMinutes),
        field(t('meeting.speaker_limit'), this.planLimit),
        h('button', { type: 'submit', class: 'btn', 'data-testid': 'plan-save' }, t('meeting.save')),
      ),
    );
    // Agenda: link a vote to the current item.
    this.linkSelect = h('select', { 'aria-label': t('meeting.link_vote'), 'data-testid': 'link-vote' }) as HTMLSelectElement;
    const linkForm = h(
      'form',
      {
        class: 'link-vote',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const id = this.linkSelect.value;
          const cur = this.current();
          if (id && cur) void this.act('agenda', 'PUT', `/api/meeting/votes/${id}/item`, { item_id: cur });
        },
      },
      this.linkSelect,
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'link-vote-submit' }, t('meeting.link')),
    );
    mount(
      this.agendaEl,
      h('h2', { id: 'magenda-h' }, t('meeting.agenda_title')),
      this.errors.agenda,
      this.agendaList,
      this.canManage ? [linkForm, planForm] : null,
    );

    // Speakers.
    this.grantLimit = h('input', { type: 'number', min: '10', max: '3600', placeholder: '180', 'data-testid': 'grant-limit' }) as HTMLInputElement;
    this.addDelegate = h('input', { autocomplete: 'off', 'data-testid': 'add-speaker-delegate' }) as HTMLInputElement;
    this.addKind = h('select', { 'data-testid': 'add-speaker-kind' }, KINDS.map((k) => h('option', { value: k }, t(`meeting.kind.${k}`)))) as HTMLSelectElement;
    const addForm = h(
      'details',
      { class: 'add-speaker' },
      h('summary', null, t('meeting.add_speaker')),
      h(
        'form',
        {
          onsubmit: (e: Event) => {
            e.preventDefault();
            const cur = this.current();
            const delegate_id = (this.addDelegate.value.split('·')[0] ?? '').trim();
            if (!cur || !delegate_id) return;
            void this.act('speakers', 'POST', '/api/meeting/speakers', { delegate_id, item_id: cur, kind: this.addKind.value }).then((ok) => {
              if (ok) this.addDelegate.value = '';
            });
          },
        },
        field(t('meeting.delegate'), this.addDelegate),
        field(t('meeting.kind'), this.addKind),
        h('button', { type: 'submit', class: 'btn', 'data-testid': 'add-speaker' }, t('meeting.add')),
      ),
    );
    mount(
      this.speakersEl,
      h('h2', { id: 'speakers-h' }, t('meeting.speakers_title')),
      this.errors.speakers,
      this.speakingSlot,
      this.canManage ? field(t('meeting.limit_label'), this.grantLimit) : null,
      this.queueSlot,
      this.canManage ? addForm : null,
    );

    // Projector scenes.
    this.noticeText = h('textarea', { rows: 2, maxlength: '500', 'data-testid': 'scene-notice-text' }) as HTMLTextAreaElement;
    const noticeForm = h(
      'form',
      {
        class: 'notice-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const text = this.noticeText.value.trim();
          if (text) void this.act('scenes', 'PUT', '/api/meeting/projector', { scene: { scene: 'notice', text } });
        },
      },
      field(t('meeting.notice_text'), this.noticeText),
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'scene-notice' }, t('meeting.show_notice')),
    );
    mount(
      this.projectorEl,
      h('h2', { id: 'scenes-h' }, t('meeting.scene_title')),
      this.errors.scenes,
      this.sceneSlot,
      this.canManage ? noticeForm : null,
    );
    this.renderLists();
    fillPlan();
  }

  // ------------------------------------------------------------------ lists (on every change)

  /** Redraws the lists (for example when the delegates' names arrive). */
  redraw(): void {
    this.renderLists();
  }

  private renderLists(): void {
    this.renderAgenda();
    this.renderSpeakers();
    this.renderScenes();
  }

  private renderAgenda(): void {
    const agenda = this.ws.state?.agenda;
    if (!agenda) {
      mount(this.agendaList, h('p', null, t('common.loading')));
      return;
    }
    const runs = new Map<string, ItemRun>((this.view?.items ?? []).map((r) => [r.item_id, r]));
    const keep = this.planItem.value;
    mount(this.planItem, agenda.items.map((i) => h('option', { value: i.id, selected: i.id === keep }, i.title)));
    const linked = new Set((this.view?.items ?? []).flatMap((r) => r.votes));
    const keepVote = this.linkSelect.value;
    mount(
      this.linkSelect,
      h('option', { value: '' }, t('meeting.link_vote_none')),
      this.votes.filter((v) => !linked.has(v.spec.id)).map((v) => h('option', { value: String(v.spec.id), selected: String(v.spec.id) === keepVote }, `#${v.spec.id} ${v.spec.title}`)),
    );
    mount(
      this.agendaList,
      h(
        'ol',
        { class: 'agenda meeting-items', 'data-testid': 'agenda' },
        agenda.items.map((item) => {
          const run = runs.get(item.id);
          const isCurrent = item.id === agenda.current;
          const status = run?.status === 'done' ? 'done' : isCurrent ? 'in_progress' : 'pending';
          return h(
            'li',
            { class: `${isCurrent ? 'current' : ''} item-${status}`, 'data-item': item.id, 'data-status': status, 'aria-current': isCurrent ? 'step' : null },
            h('span', { class: 'when' }, item.planned_start ? fmtLocalShort(item.planned_start) : ''),
            h(
              'span',
              { class: 'title' },
              item.title,
              h('span', { class: `item-status status-${status}`, 'data-testid': `status-${item.id}` }, ` · ${t(`meeting.status.${status}`)}`),
            ),
            h(
              'span',
              { class: 'muted small item-facts' },
              item.planned_minutes ? t('meeting.minutes', { n: item.planned_minutes }) : null,
              run?.started_at ? ` · ${t('meeting.started_at', { time: fmtTime(run.started_at) })}` : null,
              run?.closed_at ? ` · ${t('meeting.closed_at', { time: fmtTime(run.closed_at) })}` : null,
              run && run.votes.length ? ` · ${t('meeting.votes', { list: run.votes.map((v) => `#${v}`).join(', ') })}` : null,
              run && run.documents.length ? ` · ${t('meeting.documents', { n: run.documents.length })}` : null,
            ),
            this.canManage
              ? h(
                  'span',
                  { class: 'item-actions' },
                  !isCurrent
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'btn set-current',
                          'data-testid': `set-current-${item.id}`,
                          'aria-label': `${t(status === 'done' ? 'meeting.reopen' : 'meeting.start')}: ${item.title}`,
                          onclick: () => void this.act('agenda', 'POST', `/api/meeting/items/${encodeURIComponent(item.id)}/start`),
                        },
                        t(status === 'done' ? 'meeting.reopen' : 'meeting.start'),
                      )
                    : null,
                  status !== 'done' && (isCurrent || run?.started_at)
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'btn',
                          'data-testid': `item-close-${item.id}`,
                          'aria-label': `${t('meeting.close_item')}: ${item.title}`,
                          onclick: () => void this.act('agenda', 'POST', `/api/meeting/items/${encodeURIComponent(item.id)}/close`),
                        },
                        t('meeting.close_item'),
                      )
                    : null,
                )
              : null,
          );
        }),
      ),
    );
  }

  private renderSpeakers(): void {
    const v = this.view;
    const cur = this.current();
    const sp = v?.speaking ?? null;
    mount(
      this.speakingSlot,
      sp
        ? h(
            'div',
            { class: 'speaking-now', 'data-testid': 'speaking-now', 'data-delegate': sp.delegate_id },
            h('span', { class: 'stat-label' }, t('meeting.speaking_now')),
            h('strong', { class: 'speaker-name' }, this.nameOf(sp.delegate_id)),
            h('span', { class: 'muted' }, ` · ${t(`meeting.kind.${sp.kind}`)}`),
            countdown(sp, { 'data-testid': 'console-countdown', class: 'big-number' }),
            this.canManage
              ? h(
                  'span',
                  { class: 'speaker-actions' },
                  h('button', { type: 'button', class: 'btn', 'data-testid': 'speaker-extend', onclick: () => void this.act('speakers', 'POST', '/api/meeting/floor/extend', { seconds: 60 }) }, t('meeting.extend')),
                  h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'speaker-stop', onclick: () => void this.act('speakers', 'POST', '/api/meeting/floor/stop') }, t('meeting.stop')),
                )
              : null,
          )
        : h('p', { class: 'muted' }, t('meeting.nobody_speaking')),
    );
    if (!cur) {
      mount(this.queueSlot, h('p', { class: 'muted' }, t('meeting.no_current')));
      return;
    }
    const queue = (v?.queues ?? []).filter((r) => r.item_id === cur);
    const row = (r: SpeakerRequest, i: number) => {
      const name = this.nameOf(r.delegate_id);
      const btn = (label: string, testid: string, onclick: () => void, disabled = false) =>
        h('button', { type: 'button', class: 'btn', 'data-testid': testid, 'aria-label': `${label}: ${name}`, disabled, onclick }, label);
      return h(
        'li',
        { class: `speaker kind-${r.kind}`, 'data-request': String(r.request_id), 'data-delegate': r.delegate_id },
        h('span', { class: 'speaker-name' }, name),
        h('span', { class: `speaker-kind kind-${r.kind}` }, t(`meeting.kind.${r.kind}`)),
        h('span', { class: 'muted small' }, fmtTime(r.requested_at)),
        this.canManage
          ? h(
              'span',
              { class: 'speaker-actions' },
              btn(t('meeting.up'), `up-${r.request_id}`, () => void this.act('speakers', 'POST', `/api/meeting/speakers/${r.request_id}/move`, { position: i - 1 }), i === 0),
              btn(t('meeting.down'), `down-${r.request_id}`, () => void this.act('speakers', 'POST', `/api/meeting/speakers/${r.request_id}/move`, { position: i + 1 }), i === queue.length - 1),
              btn(t('meeting.grant'), `grant-${r.request_id}`, () => {
                const l = this.grantLimit.value.trim();
                void this.act('speakers', 'POST', `/api/meeting/speakers/${r.request_id}/grant`, { limit_s: l ? Number(l) : null });
              }),
              btn(t('meeting.remove'), `remove-${r.request_id}`, () => void this.act('speakers', 'POST', `/api/meeting/speakers/${r.request_id}/remove`)),
            )
          : null,
      );
    };
    mount(
      this.queueSlot,
      queue.length
        ? h('ol', { class: 'speaker-queue', 'data-testid': 'speaker-queue', 'aria-label': t('meeting.speakers_title') }, queue.map(row))
        : h('p', { class: 'muted', 'data-testid': 'queue-empty' }, t('meeting.queue_empty')),
    );
  }

  private renderScenes(): void {
    const scene: ProjectorScene | null = this.view?.scene ?? null;
    mount(
      this.sceneSlot,
      scene ? h('p', { 'data-testid': 'scene-current', 'data-scene': scene.scene }, t('meeting.scene_current', { scene: t(`meeting.scene.${scene.scene}`) })) : null,
      this.canManage
        ? h(
            'div',
            { class: 'scene-buttons', role: 'group', 'aria-label': t('meeting.scene_title') },
            SCENES.map((s) =>
              h(
                'button',
                {
                  type: 'button',
                  class: `btn ${scene?.scene === s ? 'btn-primary' : ''}`,
                  'aria-pressed': String(scene?.scene === s),
                  'data-testid': `scene-${s}`,
                  onclick: () => void this.act('scenes', 'PUT', '/api/meeting/projector', { scene: { scene: s } }),
                },
                t(`meeting.scene.${s}`),
              ),
            ),
          )
        : null,
    );
  }
}
