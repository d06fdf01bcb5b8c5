/**
 * Requests to speak on the tablet: on the item under discussion, "request to speak" (and "point
 * of order"); then the place in the queue and "withdraw"; "you have the floor" with the
 * countdown while the delegate speaks. Requests go over the websocket with a random client id
 * and are answered after the commit (`speak_ack` / `speak_refused`); a retry reuses the id.
 */

import {
  countdown,
  h,
  meetingErrorText,
  noteServerTime,
  t,
  type ClientMsg,
  type MeetingView,
  type ServerMsg,
  type SpeakerKind,
  type WsClient,
} from '@congress/web-common';
import type { TabletState } from './state';

function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class Speak {
  /** The request in flight (its client id), so a double tap sends it once. */
  private sending: string | null = null;
  /** Its message: sent again with the same client id after a reconnect (answered once). */
  private inFlight: ClientMsg | null = null;
  private refused: string | null = null;

  constructor(
    private readonly ws: WsClient<TabletState>,
    private readonly rerender: () => void,
  ) {
    ws.subscribe((ev) => {
      if (ev.type === 'message') this.onMessage(ev.msg);
      if (ev.type === 'conn' && ev.conn === 'online' && this.inFlight) this.ws.send(this.inFlight);
      if (ev.type === 'state' && ev.cause !== 'restored' && ev.state.meeting) noteServerTime(ev.state.meeting);
    });
  }

  private onMessage(msg: ServerMsg): void {
    if (msg.type === 'speak_ack' && msg.ack.client_id === this.sending) {
      this.sending = null;
      this.inFlight = null;
      this.refused = null;
      this.rerender();
    } else if (msg.type === 'speak_refused' && msg.client_id === this.sending) {
      this.sending = null;
      this.inFlight = null;
      this.refused = meetingErrorText(msg.error);
      this.rerender();
    }
  }

  private send(make: (client_id: string) => ClientMsg): void {
    if (this.sending) return;
    const id = randomId();
    const msg = make(id);
    if (!this.ws.send(msg)) {
      this.refused = t('meeting.offline');
      this.rerender();
      return;
    }
    this.sending = id;
    this.inFlight = msg;
    this.refused = null;
    this.rerender();
  }

  view(st: TabletState): HTMLElement | null {
    const m: MeetingView | undefined = st.meeting;
    const item = st.agenda.items.find((i) => i.id === st.agenda.current);
    if (!m || !item || !st.me) return null;
    const me = st.me.id;
    const queue = m.queues.filter((r) => r.item_id === item.id);
    const mine = queue.map((r, i) => ({ r, place: i + 1 })).filter((x) => x.r.delegate_id === me);
    const floor = m.speaking && m.speaking.delegate_id === me ? m.speaking : null;
    const present = st.mine?.status === 'present';
    const online = this.ws.conn === 'online';
    const body: (HTMLElement | null)[] = [];
    if (floor) {
      body.push(
        h(
          'div',
          { class: 'have-floor', role: 'status', 'data-testid': 'have-floor' },
          h('p', { class: 'have-floor-title' }, t('meeting.you_have_floor')),
          countdown(floor, { class: 'floor-timer', 'data-testid': 'floor-countdown' }),
        ),
      );
    }
    for (const { r, place } of mine) {
      body.push(
        h(
          'div',
          { class: 'my-request', 'data-testid': 'my-request', 'data-request': String(r.request_id), 'data-place': String(place) },
          h('p', { class: 'my-place', role: 'status' }, t('meeting.your_place', { n: place }), r.kind !== 'normal' ? ` (${t(`meeting.kind.${r.kind}`)})` : ''),
          h(
            'button',
            {
              type: 'button',
              class: 'big',
              'data-testid': 'withdraw',
              disabled: !online || this.sending !== null,
              'aria-label': `${t('meeting.withdraw')}: ${t(`meeting.kind.${r.kind}`)}`,
              onclick: () => this.send((client_id) => ({ type: 'withdraw_speak', client_id, request_id: r.request_id })),
            },
            t('meeting.withdraw'),
          ),
        ),
      );
    }
    const has = (k: SpeakerKind) => mine.some((x) => x.r.kind === k);
    const ask = (k: SpeakerKind, label: string, testid: string, primary: boolean) =>
      has(k)
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: `big ${primary ? 'primary' : ''}`,
              'data-testid': testid,
              disabled: !present || !online || this.sending !== null,
              onclick: () => this.send((client_id) => ({ type: 'request_speak', client_id, item_id: item.id, kind: k })),
            },
            label,
          );
    if (!floor) {
      body.push(
        h(
          'div',
          { class: 'ballot-buttons' },
          ask('normal', t('meeting.request'), 'request-speak', true),
          ask('point_of_order', t('meeting.request_poo'), 'request-poo', false),
        ),
      );
    }
    if (!present) body.push(h('p', { class: 'muted', 'data-testid': 'speak-not-present' }, t('meeting.must_be_present')));
    if (this.sending) body.push(h('p', { role: 'status' }, t('meeting.sending')));
    if (this.refused) body.push(h('p', { class: 'error', role: 'alert', 'data-testid': 'speak-refused' }, this.refused));
    return h(
      'section',
      { class: 'panel speak', 'aria-labelledby': 'speak-h', 'data-testid': 'speak' },
      h('h2', { id: 'speak-h' }, t('meeting.speakers_title')),
      h('p', { class: 'muted' }, t('meeting.on_item', { title: item.title }), ' · ', t('meeting.waiting', { n: queue.length })),
      ...body,
    );
  }
}
