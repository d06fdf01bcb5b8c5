/**
 * Meeting helpers shared by the console, the projector and the tablet: the speaking countdown
 * (computed locally from `started_at + limit_s`, corrected by the server clock's offset; no
 * per-second pushes) and the translated refusals of meeting actions.
 */

import { ApiError, errorText } from './api';
import { t, type MessageKey } from './i18n';
import type { MeetingView, Speaking } from './protocol';

let offsetMs = 0;

/** Notes the server's clock from a fresh meeting view (`server_now`). */
export function noteServerTime(view: MeetingView): void {
  offsetMs = view.server_now - Date.now();
}

/** The server's time now, as far as this client can tell. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** `m:ss` (or `h:mm:ss`) for a number of seconds (never negative). */
export function fmtClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Seconds left for the speaker (negative when over time). */
export function secondsLeft(sp: Speaking): number {
  return Math.min(sp.limit_s, Math.ceil((sp.started_at + sp.limit_s * 1000 - serverNow()) / 1000));
}

function paint(el: HTMLElement): void {
  const end = Number(el.dataset.endsAt);
  // The clock offset is measured from a push that took some time to arrive, so it can put the
  // start a little in the future: never show more than the time allowed (no "3:01" of 3:00).
  const left = Math.min(Number(el.dataset.limit), Math.ceil((end - serverNow()) / 1000));
  const over = left < 0;
  const text = over ? t('meeting.overtime', { time: fmtClock(-left) }) : fmtClock(left);
  if (el.textContent !== text) el.textContent = text;
  el.dataset.over = String(over);
  el.dataset.left = String(left);
}

let ticking = false;

/**
 * A countdown element for the speaker; every such element on the page repaints itself four
 * times a second from the local clock (no network).
 */
export function countdown(sp: Speaking, props: Record<string, string> = {}): HTMLElement {
  const el = document.createElement('span');
  for (const [k, v] of Object.entries(props)) el.setAttribute(k, v);
  el.classList.add('countdown');
  el.dataset.endsAt = String(sp.started_at + sp.limit_s * 1000);
  el.dataset.limit = String(sp.limit_s);
  el.setAttribute('role', 'timer');
  paint(el);
  if (!ticking) {
    ticking = true;
    setInterval(() => document.querySelectorAll<HTMLElement>('[data-ends-at]').forEach(paint), 250);
  }
  return el;
}

const MEETING_CODES = ['not_present', 'not_current', 'item_done', 'already_queued', 'already_speaking', 'vote_open', 'floor_taken', 'no_speaker'];

/** A refusal's translated text, from an `ApiError` or a websocket refusal code. */
export function meetingErrorText(err: unknown): string {
  const code = err instanceof ApiError ? err.code : typeof err === 'string' ? err : null;
  if (code && MEETING_CODES.includes(code)) return t(`meeting.error.${code}` as MessageKey);
  if (typeof err === 'string') return t('error.unknown');
  return errorText(err);
}
