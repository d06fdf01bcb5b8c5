/**
 * The console's notices panel: compose a notice for every delegate, one discussion group or one
 * delegate (secretariat and admins), and the sent notices with their receipts: how many of the
 * addressees have read each one and who has not. Texts are shown as text, never as HTML.
 * The list is refetched (`GET /api/notices`) on `notice` and `notice_read` pushes, coalesced.
 */

import { errorBox, field, fmtTime, h, mount, newClientId, t, type ApiClient, type Delegate, type NoticeAck, type NoticeAudience, type NoticeStatus, type WsClient } from '@congress/web-common';

/** = `MAX_NOTICE_CHARS` in congress-proto. */
const NOTICE_MAX = 1000;

function chars(s: string): number {
  return [...s].length;
}

/** Group names in natural order ("Tổ 2" before "Tổ 10"). */
export function groupNames(delegates: Delegate[]): string[] {
  const set = new Set(delegates.map((d) => d.group).filter((g) => g.trim() !== ''));
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export class NoticesPanel<S> {
  readonly el = h('section', { id: 'notices', class: 'panel notices-panel', 'aria-labelledby': 'notices-h', 'data-testid': 'notices-panel' });
  private readonly formSlot = h('div');
  private readonly listSlot = h('div');
  private notices: NoticeStatus[] = [];
  private error: unknown = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: ApiClient,
    ws: WsClient<S>,
    private readonly canSend: boolean,
    private readonly delegates: () => Delegate[],
  ) {
    ws.subscribe((ev) => {
      if (ev.type !== 'state') return;
      if (ev.cause === 'snapshot' || ev.push?.kind === 'notice' || ev.push?.kind === 'notice_read' || ev.push?.kind === 'delegates') this.refreshSoon();
    });
  }

  /** Refetches within 300 ms (a burst of receipts makes one request). */
  refreshSoon(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, 300);
  }

  async refresh(): Promise<void> {
    try {
      this.notices = await this.api.request<NoticeStatus[]>('GET', '/api/notices');
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.renderList();
  }

  /** Rebuilds the whole panel (language change, delegates loaded). */
  render(): void {
    mount(this.el, h('h2', { id: 'notices-h' }, t('notices.title')), this.formSlot, h('h3', null, t('notices.sent_list')), this.listSlot);
    mount(this.formSlot, this.canSend ? this.buildForm() : null);
    this.renderList();
  }

  private name(id: string): string {
    return this.delegates().find((d) => d.id === id)?.full_name ?? id;
  }

  private audienceText(a: NoticeAudience): string {
    switch (a.kind) {
      case 'all':
        return t('notices.to_all');
      case 'group':
        return t('notices.to_group', { group: a.group });
      case 'delegate':
        return t('notices.to_delegate', { name: this.name(a.delegate_id) });
    }
  }

  private buildForm(): HTMLFormElement {
    const text = h('textarea', { id: 'notice-text', rows: 3, dir: 'auto', 'data-testid': 'notice-text' }) as HTMLTextAreaElement;
    const count = h('span', { class: 'hint', 'aria-live': 'off' }, t('notices.chars', { n: 0, max: NOTICE_MAX }));
    text.addEventListener('input', () => {
      const n = chars(text.value);
      count.textContent = t('notices.chars', { n, max: NOTICE_MAX });
      count.classList.toggle('over', n > NOTICE_MAX);
    });
    const kind = h(
      'select',
      { id: 'notice-audience', 'data-testid': 'notice-audience' },
      h('option', { value: 'all' }, t('notices.audience.all')),
      h('option', { value: 'group' }, t('notices.audience.group')),
      h('option', { value: 'delegate' }, t('notices.audience.delegate')),
    ) as HTMLSelectElement;
    const group = h('select', { id: 'notice-group', 'data-testid': 'notice-group' }, groupNames(this.delegates()).map((g) => h('option', { value: g }, g))) as HTMLSelectElement;
    const delegate = h('input', { id: 'notice-delegate', list: 'notice-delegate-options', autocomplete: 'off', 'data-testid': 'notice-delegate' }) as HTMLInputElement;
    const options = h('datalist', { id: 'notice-delegate-options' }, this.delegates().map((d) => h('option', { value: `${d.id} · ${d.full_name}` })));
    const groupField = field(t('notices.group'), group);
    const delegateField = field(t('notices.delegate'), delegate);
    const sync = () => {
      groupField.hidden = kind.value !== 'group';
      delegateField.hidden = kind.value !== 'delegate';
    };
    kind.addEventListener('change', sync);
    sync();
    const status = h('div', { 'aria-live': 'polite', 'data-testid': 'notice-form-status' });
    const fail = (msg: string) => mount(status, h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', null, msg)));
    // One client id per composed notice: a retry after a lost answer is not sent twice.
    let clientId = newClientId();
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'notice-send' }, t('notices.send'));
    return h(
      'form',
      {
        class: 'notice-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const body = text.value;
          if (!body.trim()) return fail(t('notices.empty'));
          const n = chars(body);
          if (n > NOTICE_MAX) return fail(t('notices.too_long', { len: n, max: NOTICE_MAX }));
          let audience: NoticeAudience;
          if (kind.value === 'group') audience = { kind: 'group', group: group.value };
          else if (kind.value === 'delegate') {
            const id = this.resolve(delegate.value);
            if (!id) {
              delegate.focus();
              return fail(t('notices.pick_delegate'));
            }
            audience = { kind: 'delegate', delegate_id: id };
          } else audience = { kind: 'all' };
          submit.disabled = true;
          mount(status, h('p', { class: 'muted' }, t('common.working')));
          try {
            await this.api.request<NoticeAck>('POST', '/api/notices', { client_id: clientId, text: body, audience });
            clientId = newClientId();
            text.value = '';
            count.textContent = t('notices.chars', { n: 0, max: NOTICE_MAX });
            mount(status, h('p', { class: 'ok-text', 'data-testid': 'notice-sent' }, t('notices.sent')));
            await this.refresh();
          } catch (err) {
            mount(status, errorBox(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      field(t('notices.text_label'), text, t('notices.text_hint', { max: NOTICE_MAX })),
      count,
      field(t('notices.audience'), kind),
      groupField,
      delegateField,
      options,
      submit,
      status,
    );
  }

  private resolve(text: string): string | null {
    const s = text.trim();
    if (!s) return null;
    const ds = this.delegates();
    const id = s.split(/\s*·\s*/)[0]!.trim().toUpperCase();
    if (ds.some((d) => d.id === id)) return id;
    const byName = ds.filter((d) => d.full_name.normalize('NFC') === s.normalize('NFC'));
    return byName.length === 1 ? byName[0]!.id : null;
  }

  private renderList(): void {
    mount(
      this.listSlot,
      this.error ? errorBox(this.error) : null,
      this.notices.length === 0
        ? h('p', { class: 'muted' }, t('notices.none'))
        : h(
            'ul',
            { class: 'notice-status-list', 'data-testid': 'notice-statuses' },
            this.notices.map((s) =>
              h(
                'li',
                { 'data-testid': 'notice-status', 'data-id': String(s.notice.id), 'data-read': String(s.read), 'data-recipients': String(s.recipients) },
                h('p', { class: 'notice-meta' }, fmtTime(s.notice.at), ' · ', this.audienceText(s.notice.audience)),
                h('p', { class: 'notice-text', dir: 'auto' }, s.notice.text),
                h('p', { class: 'notice-receipts', 'data-testid': 'notice-receipts' }, h('strong', null, t('notices.receipts', { read: s.read, recipients: s.recipients }))),
                s.unread.length === 0
                  ? h('p', { class: 'ok-text' }, t('notices.all_read'))
                  : h(
                      'details',
                      null,
                      h('summary', null, t('notices.unread_list', { n: s.unread.length })),
                      h('p', { class: 'small', 'data-testid': 'notice-unread' }, s.unread.map((id) => this.name(id)).join(', ')),
                    ),
              ),
            ),
          ),
    );
  }
}
