/**
 * Discussion groups on the tablet. Every member sees a form for a written opinion on the agenda
 * item under discussion (sent as `send_opinion` over the websocket; a new one replaces the
 * earlier one until the group's summary is submitted). The group's secretary also sees every
 * member's opinion on the item and compiles the summary: an editable draft, then "submit to the
 * secretariat" after a confirmation. The view comes from `GET /api/groups/mine` and is kept up
 * to date by the `opinion`, `group_summary` and `group_secretary` pushes.
 *
 * The form is rebuilt only when what it shows changes (item, role, submitted, present,
 * language), so a push never wipes what the delegate is typing.
 */

import {
  ApiClient,
  errorText,
  fmtTime,
  getLanguage,
  h,
  mount,
  newClientId,
  t,
  type GroupSummary,
  type MessageKey,
  type MyGroup,
  type Opinion,
  type ServerMsg,
  type WsClient,
} from '@congress/web-common';
import type { TabletState } from './state';

/** = `MAX_OPINION_CHARS` and `MAX_SUMMARY_CHARS` in congress-proto. */
const OPINION_MAX = 4000;
const SUMMARY_MAX = 10000;

type Kind = 'opinion' | 'draft' | 'submit';

function chars(s: string): number {
  return [...s].length;
}

export class Opinions {
  readonly el = h('section', { class: 'panel opinions', 'aria-labelledby': 'opinions-h', 'data-testid': 'opinions' });
  private my: MyGroup | null = null;
  private loadError: unknown = null;
  private key = '';
  private lastItem: string | null = null;
  private confirming = false;
  /** Client ids of messages awaiting their answer. */
  private readonly waiting = new Map<string, Kind>();
  /** What the delegate typed, by item, so a rebuild keeps it. */
  private readonly opinionDraft = new Map<string, string>();
  private readonly summaryDraft = new Map<string, string>();
  private readonly opinionStatus = h('div', { 'aria-live': 'polite', 'data-testid': 'opinion-status' });
  private readonly summaryStatus = h('div', { 'aria-live': 'polite', 'data-testid': 'summary-status' });
  private readonly listSlot = h('div', { 'data-testid': 'group-opinions' });

  constructor(
    private readonly api: ApiClient,
    private readonly ws: WsClient<TabletState>,
  ) {
    ws.subscribe((ev) => {
      if (ev.type === 'message') this.onMessage(ev.msg);
      if (ev.type !== 'state') return;
      if (ev.cause === 'snapshot') {
        void this.refresh();
        return;
      }
      const p = ev.push;
      if (!p) return this.render();
      if (p.kind === 'opinion') this.mergeOpinion(p.opinion);
      else if (p.kind === 'group_summary') this.mergeSummary(p.summary);
      else if (p.kind === 'group_secretary') void this.refresh();
      else if (p.kind === 'agenda' || p.kind === 'attendance' || p.kind === 'delegates') this.render();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.my = await this.api.request<MyGroup>('GET', '/api/groups/mine');
      this.loadError = null;
    } catch (e) {
      this.loadError = e;
    }
    this.key = '';
    this.render();
  }

  private mergeOpinion(o: Opinion): void {
    if (!this.my) return;
    const rest = this.my.opinions.filter((x) => !(x.item_id === o.item_id && x.delegate_id === o.delegate_id));
    this.my = { ...this.my, opinions: [...rest, o] };
    this.render();
  }

  private mergeSummary(s: GroupSummary): void {
    if (!this.my) return;
    const rest = this.my.summaries.filter((x) => !(x.item_id === s.item_id && x.group === s.group));
    this.my = { ...this.my, summaries: [...rest, s] };
    this.render();
  }

  private onMessage(msg: ServerMsg): void {
    if (msg.type !== 'acked' && msg.type !== 'refused') return;
    const kind = this.waiting.get(msg.client_id);
    if (!kind) return;
    this.waiting.delete(msg.client_id);
    const slot = kind === 'opinion' ? this.opinionStatus : this.summaryStatus;
    if (msg.type === 'acked') {
      const text = kind === 'opinion' ? 'groups.opinion_saved' : kind === 'draft' ? 'groups.draft_saved' : 'groups.submitted_at';
      mount(slot, h('p', { class: 'ok-text', 'data-testid': `${kind}-saved` }, t(text, { time: fmtTime(Date.now()) })));
      return;
    }
    const max = kind === 'opinion' ? OPINION_MAX : SUMMARY_MAX;
    const known = ['too_long', 'empty', 'not_member', 'not_present', 'not_secretary', 'submitted'];
    const text = known.includes(msg.error)
      ? t(`groups.error.${msg.error}` as MessageKey, { max })
      : t('groups.error.other', { message: msg.message });
    mount(slot, h('div', { class: 'error', role: 'alert', 'data-testid': 'opinion-error', 'data-code': msg.error }, h('strong', null, text)));
  }

  private send(kind: Kind, item: string, text: string): void {
    const slot = kind === 'opinion' ? this.opinionStatus : this.summaryStatus;
    const max = kind === 'opinion' ? OPINION_MAX : SUMMARY_MAX;
    if ((kind !== 'draft' || text.length > 0) && !text.trim()) {
      mount(slot, h('div', { class: 'error', role: 'alert', 'data-testid': 'opinion-error', 'data-code': 'empty' }, h('strong', null, t('groups.error.empty'))));
      return;
    }
    if (chars(text) > max) {
      mount(slot, h('div', { class: 'error', role: 'alert', 'data-testid': 'opinion-error', 'data-code': 'too_long' }, h('strong', null, t('groups.error.too_long', { max }))));
      return;
    }
    const client_id = newClientId();
    const ok =
      kind === 'opinion'
        ? this.ws.send({ type: 'send_opinion', client_id, item_id: item, text })
        : this.ws.send({ type: 'save_summary', client_id, item_id: item, text, submit: kind === 'submit' });
    if (!ok) {
      mount(slot, h('div', { class: 'error', role: 'alert' }, h('strong', null, t('groups.offline'))));
      return;
    }
    this.waiting.set(client_id, kind);
    mount(slot, h('p', { class: 'muted' }, t('groups.sending')));
  }

  /** Rebuilds the form when what it shows changed; otherwise only the lists. */
  render(): void {
    const st = this.ws.state;
    const my = this.my;
    const item = st?.agenda.current ? st.agenda.items.find((i) => i.id === st.agenda.current) ?? null : null;
    const present = st?.mine?.status === 'present';
    const summary = my && item ? my.summaries.find((s) => s.item_id === item.id) ?? null : null;
    const submitted = summary?.submitted_at != null;
    const meId = st?.me?.id;
    const hasMine = Boolean(my && item && my.opinions.some((o) => o.item_id === item.id && o.delegate_id === meId));
    const key = [getLanguage(), item?.id ?? '', my?.group ?? '', my?.is_secretary, my?.secretary?.id ?? '', submitted, present, hasMine, this.confirming, Boolean(this.loadError)].join('|');
    if ((item?.id ?? null) !== this.lastItem) {
      this.lastItem = item?.id ?? null;
      mount(this.opinionStatus);
      mount(this.summaryStatus);
      this.confirming = false;
    }
    if (key !== this.key) {
      this.key = key;
      this.build(st, my, item, present, summary);
    }
    this.renderLists(my, item?.id ?? null);
  }

  private build(
    st: TabletState | null,
    my: MyGroup | null,
    item: { id: string; title: string } | null,
    present: boolean,
    summary: GroupSummary | null,
  ): void {
    const heading = h('h2', { id: 'opinions-h' }, t('groups.opinion_title'));
    if (this.loadError) {
      mount(this.el, heading, h('div', { class: 'error', role: 'alert' }, h('strong', null, errorText(this.loadError))));
      return;
    }
    if (!st || !my) {
      mount(this.el, heading, h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const groupLine = my.secretary
      ? t('groups.your_group', { group: my.group, name: my.secretary.full_name })
      : t('groups.no_secretary', { group: my.group });
    if (!item) {
      mount(this.el, heading, h('p', { class: 'muted', 'data-testid': 'my-group' }, groupLine), h('p', null, t('groups.no_item')));
      return;
    }
    const submitted = summary?.submitted_at != null;
    const mine = my.opinions.find((o) => o.item_id === item.id && o.delegate_id === st.me?.id) ?? null;

    // ---- the member's own opinion
    const opinion = h('textarea', {
      id: 'opinion-text',
      dir: 'auto',
      rows: 6,
      'data-testid': 'opinion-text',
      'aria-describedby': 'opinion-count',
      readonly: submitted || !present,
    }) as HTMLTextAreaElement;
    opinion.value = this.opinionDraft.get(item.id) ?? mine?.text ?? '';
    const count = h('p', { id: 'opinion-count', class: 'hint' });
    const updateCount = () => {
      const n = chars(opinion.value);
      count.textContent = t('groups.chars', { n, max: OPINION_MAX });
      count.classList.toggle('over', n > OPINION_MAX);
    };
    opinion.addEventListener('input', () => {
      this.opinionDraft.set(item.id, opinion.value);
      updateCount();
    });
    updateCount();
    const form = h(
      'form',
      {
        class: 'opinion-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          this.send('opinion', item.id, opinion.value);
        },
      },
      h('label', { for: 'opinion-text', class: 'big-label' }, t('groups.opinion_label', { item: item.title })),
      opinion,
      count,
      submitted
        ? h('p', { class: 'banner', role: 'status', 'data-testid': 'opinion-frozen' }, t('groups.frozen'))
        : !present
          ? h('p', { class: 'banner', role: 'status', 'data-testid': 'opinion-not-present' }, t('groups.not_present_hint'))
          : h('button', { type: 'submit', class: 'btn btn-primary btn-xl', 'data-testid': 'opinion-send' }, mine ? t('groups.update_opinion') : t('groups.send_opinion')),
      this.opinionStatus,
    );
    if (mine && !this.opinionStatus.hasChildNodes()) {
      mount(this.opinionStatus, h('p', { class: 'ok-text' }, t('groups.opinion_saved', { time: fmtTime(mine.at) })));
    }

    mount(
      this.el,
      heading,
      h('p', { class: 'muted', 'data-testid': 'my-group' }, groupLine),
      form,
      my.is_secretary ? this.buildSecretary(my, item, summary) : null,
    );
  }

  private buildSecretary(my: MyGroup, item: { id: string; title: string }, summary: GroupSummary | null): HTMLElement {
    const submitted = summary?.submitted_at != null;
    const text = h('textarea', {
      id: 'summary-text',
      dir: 'auto',
      rows: 10,
      'data-testid': 'summary-text',
      'aria-describedby': 'summary-count',
      readonly: submitted,
    }) as HTMLTextAreaElement;
    text.value = this.summaryDraft.get(item.id) ?? summary?.text ?? '';
    const count = h('p', { id: 'summary-count', class: 'hint' });
    const updateCount = () => {
      count.textContent = t('groups.chars', { n: chars(text.value), max: SUMMARY_MAX });
    };
    text.addEventListener('input', () => {
      this.summaryDraft.set(item.id, text.value);
      updateCount();
    });
    updateCount();
    const insert = () => {
      const now = this.my ?? my;
      const names = new Map(now.members.map((m) => [m.id, m.full_name]));
      const lines = now.opinions
        .filter((o) => o.item_id === item.id)
        .sort((a, b) => a.at - b.at)
        .map((o) => `- ${names.get(o.delegate_id) ?? o.delegate_id}: ${o.text}`);
      text.value = [text.value.trim(), ...lines].filter(Boolean).join('\n');
      this.summaryDraft.set(item.id, text.value);
      updateCount();
      text.focus();
    };
    let actions: HTMLElement;
    if (submitted) {
      actions = h('p', { class: 'banner', role: 'status', 'data-testid': 'summary-submitted' }, t('groups.submitted_at', { time: fmtTime(summary?.submitted_at ?? 0) }));
    } else if (this.confirming) {
      actions = h(
        'div',
        { class: 'confirm-box', role: 'alertdialog', 'aria-labelledby': 'summary-confirm-q' },
        h('p', { id: 'summary-confirm-q', class: 'confirm-q' }, t('groups.submit_confirm')),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'btn btn-xl', onclick: () => { this.confirming = false; this.render(); } }, t('common.cancel')),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-primary btn-xl',
              'data-testid': 'summary-confirm',
              onclick: () => {
                this.confirming = false;
                this.send('submit', item.id, text.value);
                this.render();
              },
            },
            t('groups.confirm_submit'),
          ),
        ),
      );
    } else {
      actions = h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'btn', 'data-testid': 'summary-insert', onclick: insert }, t('groups.insert_opinions')),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'summary-draft', onclick: () => this.send('draft', item.id, text.value) }, t('groups.save_draft')),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-primary',
            'data-testid': 'summary-submit',
            onclick: () => {
              if (!text.value.trim()) {
                this.send('submit', item.id, text.value);
                return;
              }
              this.confirming = true;
              this.render();
              this.el.querySelector<HTMLElement>('[data-testid="summary-confirm"]')?.focus();
            },
          },
          t('groups.submit'),
        ),
      );
    }
    return h(
      'div',
      { class: 'secretary', 'data-testid': 'secretary-view' },
      h('h3', { id: 'secretary-h' }, t('groups.secretary_title')),
      this.listSlot,
      h('label', { for: 'summary-text', class: 'big-label' }, t('groups.summary_label')),
      text,
      count,
      actions,
      this.summaryStatus,
    );
  }

  private renderLists(my: MyGroup | null, item: string | null): void {
    if (!my || !my.is_secretary || !item) {
      mount(this.listSlot);
      return;
    }
    const names = new Map(my.members.map((m) => [m.id, m]));
    const ops = my.opinions.filter((o) => o.item_id === item).sort((a, b) => a.at - b.at);
    mount(
      this.listSlot,
      h('p', { class: 'muted', 'data-testid': 'opinions-count' }, t('groups.opinions_count', { n: ops.length, m: my.members.length })),
      ops.length === 0
        ? h('p', { class: 'muted' }, t('groups.no_opinions'))
        : h(
            'ul',
            { class: 'opinion-list', 'aria-labelledby': 'secretary-h' },
            ops.map((o) => {
              const m = names.get(o.delegate_id);
              return h(
                'li',
                { 'data-testid': 'group-opinion', 'data-delegate': o.delegate_id },
                h('p', { class: 'opinion-meta' }, h('strong', null, m?.full_name ?? o.delegate_id), ' · ', fmtTime(o.at)),
                h('p', { class: 'opinion-text', dir: 'auto' }, o.text),
              );
            }),
          ),
    );
  }
}
