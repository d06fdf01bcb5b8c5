/**
 * Notices on the tablet: a new notice opens a modal dialog in large type that stays until the
 * delegate presses "I have read this" (then the next unread one, oldest first), and a list of
 * every notice with its read state. Pressing the button sends a read receipt
 * (`read_notice` with a fresh client id); a receipt made while offline is kept and sent on
 * reconnect. Notice texts are shown as text, never parsed as HTML.
 */

import { fmtTime, h, local, mount, newClientId, read, t, write, type Notice, type WsClient } from '@congress/web-common';
import type { TabletState } from './state';

const PENDING_KEY = 'congress.tablet.notices.pending';
/** Notices whose receipt the server refused (no longer addressed to us): not shown as new. */
const DISMISSED_KEY = 'congress.tablet.notices.dismissed';

/** notice id → client id of its receipt not yet acknowledged. */
type Pending = Record<string, string>;

export class Notices {
  readonly el = h('section', { class: 'panel notices', 'aria-labelledby': 'notices-h', 'data-testid': 'notices' });
  private readonly dialog = h('dialog', {
    class: 'notice-dialog',
    'aria-labelledby': 'notice-dialog-h',
    'aria-describedby': 'notice-dialog-text',
    'data-testid': 'notice-dialog',
  }) as HTMLDialogElement;
  private shown: number | null = null;

  constructor(private readonly ws: WsClient<TabletState>) {
    // The delegate must answer the notice: Escape does not dismiss it.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
    document.body.append(this.dialog);
    ws.subscribe((ev) => {
      if (ev.type === 'conn' && ev.conn === 'online') this.flush();
      if (ev.type === 'message' && (ev.msg.type === 'acked' || ev.msg.type === 'refused')) {
        const cid = ev.msg.client_id;
        const p = this.pending();
        const id = Object.keys(p).find((k) => p[k] === cid);
        if (id !== undefined) {
          // Acknowledged, or refused (a notice no longer addressed to us): either way done.
          delete p[id];
          this.save(p);
          if (ev.msg.type === 'refused') {
            write(local(), DISMISSED_KEY, JSON.stringify([...this.dismissed(), Number(id)]));
          }
        }
      }
    });
  }

  /** Removes the dialog and what this pairing kept (the tablet was unpaired). */
  dispose(): void {
    if (this.dialog.open) this.dialog.close();
    this.dialog.remove();
    write(local(), PENDING_KEY, null);
    write(local(), DISMISSED_KEY, null);
  }

  private pending(): Pending {
    try {
      return JSON.parse(read(local(), PENDING_KEY) ?? '{}') as Pending;
    } catch {
      return {};
    }
  }

  private save(p: Pending): void {
    write(local(), PENDING_KEY, Object.keys(p).length ? JSON.stringify(p) : null);
  }

  /** Sends the receipts not yet acknowledged (on reconnect). */
  flush(): void {
    for (const [id, client_id] of Object.entries(this.pending())) {
      this.ws.send({ type: 'read_notice', client_id, notice_id: Number(id) });
    }
  }

  private dismissed(): number[] {
    try {
      return JSON.parse(read(local(), DISMISSED_KEY) ?? '[]') as number[];
    } catch {
      return [];
    }
  }

  private isRead(st: TabletState, id: number): boolean {
    return (st.noticesRead ?? []).includes(id) || this.pending()[String(id)] !== undefined || this.dismissed().includes(id);
  }

  private markRead(id: number): void {
    const p = this.pending();
    const client_id = p[String(id)] ?? newClientId();
    p[String(id)] = client_id;
    this.save(p);
    this.ws.send({ type: 'read_notice', client_id, notice_id: id });
    this.render();
  }

  private audienceText(n: Notice, st: TabletState): string {
    switch (n.audience.kind) {
      case 'all':
        return t('notices.to_all');
      case 'group':
        return t('notices.to_group', { group: n.audience.group });
      case 'delegate':
        return t('notices.to_delegate', { name: st.me?.full_name ?? n.audience.delegate_id });
    }
  }

  render(): void {
    const st = this.ws.state;
    const notices = st?.notices ?? [];
    const unread = st ? notices.filter((n) => !this.isRead(st, n.id)) : [];
    mount(
      this.el,
      h('h2', { id: 'notices-h' }, t('notices.title')),
      notices.length === 0
        ? h('p', { class: 'muted' }, t('notices.none'))
        : h(
            'ul',
            { class: 'notice-list' },
            notices
              .slice()
              .reverse()
              .map((n) => {
                const isRead = st ? this.isRead(st, n.id) : false;
                return h(
                  'li',
                  { class: isRead ? 'notice read' : 'notice unread', 'data-testid': 'notice-item', 'data-id': String(n.id), 'data-read': String(isRead) },
                  h(
                    'p',
                    { class: 'notice-meta' },
                    h('span', { class: `status ${isRead ? 'status-absent' : 'status-left'}` }, isRead ? t('notices.read') : t('notices.unread')),
                    ' ',
                    t('notices.sent_at', { time: fmtTime(n.at) }),
                    ' · ',
                    st ? this.audienceText(n, st) : '',
                  ),
                  h('p', { class: 'notice-text', dir: 'auto' }, n.text),
                );
              }),
          ),
    );
    this.renderDialog(unread, st);
  }

  private renderDialog(unread: Notice[], st: TabletState | null): void {
    const n = unread[0];
    if (!n || !st) {
      this.shown = null;
      if (this.dialog.open) this.dialog.close();
      return;
    }
    const button = h(
      'button',
      { type: 'button', class: 'btn btn-primary btn-xl', 'data-testid': 'notice-ack', onclick: () => this.markRead(n.id) },
      t('notices.ack'),
    );
    mount(
      this.dialog,
      h('h2', { id: 'notice-dialog-h', class: 'notice-dialog-title' }, t('notices.new_title')),
      unread.length > 1 ? h('p', { class: 'muted' }, t('notices.count', { i: 1, n: unread.length })) : null,
      h('p', { class: 'muted' }, t('notices.sent_at', { time: fmtTime(n.at) }), ' · ', this.audienceText(n, st)),
      h('p', { id: 'notice-dialog-text', class: 'notice-dialog-text', dir: 'auto', 'data-testid': 'notice-dialog-text' }, n.text),
      h('div', { class: 'actions' }, button),
    );
    if (!this.dialog.open) this.dialog.showModal();
    if (this.shown !== n.id) {
      this.shown = n.id;
      button.focus();
    }
  }
}
