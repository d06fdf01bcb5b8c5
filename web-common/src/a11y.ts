/**
 * Accessibility helpers shared by the apps: the per-device large-type mode ("A A"), a live-region
 * announcer that survives re-renders (screen readers miss live regions that are created together
 * with their text), focus kept across a full re-render, and focus given back after a dialog.
 */

import { h } from './dom';
import { t } from './i18n';
import { local, read, write, type KV } from './storage';
import type { QuorumState, VoteInfo } from './protocol';
import type { ConnState, WsClient } from './ws';

// ---------------------------------------------------------------- large type

export const LARGE_TYPE_KEY = 'congress.large_type';
const LARGE_TYPE_CLASS = 'large-type';
const largeListeners = new Set<(on: boolean) => void>();
let large = false;

interface ClassTarget {
  classList: { toggle(name: string, force?: boolean): unknown };
}

function rootTarget(): ClassTarget | null {
  return typeof document === 'undefined' ? null : document.documentElement;
}

export function isLargeType(): boolean {
  return large;
}

/** Switches large type on or off on this device (class `large-type` on the document root). */
export function setLargeType(on: boolean, opts: { storage?: KV | null; target?: ClassTarget | null } = {}): void {
  large = on;
  write(opts.storage === undefined ? local() : opts.storage, LARGE_TYPE_KEY, on ? '1' : null);
  const target = opts.target === undefined ? rootTarget() : opts.target;
  target?.classList.toggle(LARGE_TYPE_CLASS, on);
  for (const l of largeListeners) l(on);
}

/** Applies the large-type choice stored on this device (off by default). */
export function initLargeType(opts: { storage?: KV | null; target?: ClassTarget | null } = {}): boolean {
  const stored = read(opts.storage === undefined ? local() : opts.storage, LARGE_TYPE_KEY);
  setLargeType(stored === '1', opts);
  return large;
}

export function onLargeTypeChange(fn: (on: boolean) => void): () => void {
  largeListeners.add(fn);
  return () => largeListeners.delete(fn);
}

/**
 * The "A A" toggle: a small and a big letter A on the button, a translated accessible name,
 * `aria-pressed` for its state.
 */
export function largeTypeToggle(): HTMLButtonElement {
  const btn = h(
    'button',
    {
      type: 'button',
      class: 'btn large-type-toggle',
      'aria-pressed': String(large),
      'aria-label': t('a11y.large_type'),
      title: t('a11y.large_type'),
      'data-testid': 'large-type',
      onclick: () => {
        setLargeType(!large);
        btn.setAttribute('aria-pressed', String(large));
        announce(large ? t('a11y.large_type_on') : t('a11y.large_type_off'));
      },
    },
    h('span', { class: 'aa-small', 'aria-hidden': 'true' }, 'A'),
    h('span', { class: 'aa-big', 'aria-hidden': 'true' }, 'A'),
  );
  return btn;
}

// ---------------------------------------------------------------- announcer

let politeEl: HTMLElement | null = null;
let assertiveEl: HTMLElement | null = null;

function region(assertive: boolean): HTMLElement | null {
  if (typeof document === 'undefined') return null;
  let el = assertive ? assertiveEl : politeEl;
  if (el && el.isConnected) return el;
  el = h('div', {
    class: 'visually-hidden announcer',
    role: assertive ? 'alert' : 'status',
    'aria-live': assertive ? 'assertive' : 'polite',
    'aria-atomic': 'true',
    'data-testid': assertive ? 'announcer-assertive' : 'announcer',
  });
  // Outside the app root, so re-rendering the app never replaces it.
  document.body.appendChild(el);
  if (assertive) assertiveEl = el;
  else politeEl = el;
  return el;
}

/** Creates the live regions early: a region must exist before its text changes to be read. */
export function initAnnouncer(): void {
  region(false);
  region(true);
}

/**
 * Says `text` to screen readers through a persistent live region (polite by default). The text
 * stays in the region until the next announcement, so a test (or a late reader) can find it.
 */
export function announce(text: string, opts: { assertive?: boolean } = {}): void {
  const el = region(opts.assertive ?? false);
  if (!el) return;
  // Clear then set in the next task, so the same text said twice is read twice.
  el.textContent = '';
  setTimeout(() => {
    el.textContent = text;
  }, 50);
}

/**
 * Announces connection changes that matter: lost, and back after being lost (not the first
 * connect). Returns the function to feed with each new state.
 */
export function connAnnouncer(): (conn: ConnState) => void {
  let last: ConnState | null = null;
  let wasDown = false;
  return (conn) => {
    if (conn === last) return;
    last = conn;
    if (conn === 'offline' || conn === 'stopped') {
      wasDown = true;
      announce(t('conn.offline_banner'), { assertive: true });
    } else if (conn === 'online' && wasDown) {
      wasDown = false;
      announce(t('a11y.back_online'));
    }
  };
}

// ---------------------------------------------------------------- focus

/** Ways to find an element again after a re-render, best first: id, test id within a keyed row, row. */
function focusKeys(el: Element): string[] {
  const keys: string[] = [];
  if (el.id) keys.push(`#${CSS.escape(el.id)}`);
  const tid = el.getAttribute('data-testid');
  const keyed = el.closest('[data-id],[data-vote],[data-doc],[data-item],[data-device]');
  const scope = keyed
    ? ['data-id', 'data-vote', 'data-doc', 'data-item', 'data-device']
        .filter((a) => keyed.hasAttribute(a))
        .map((a) => `[${a}="${CSS.escape(keyed.getAttribute(a) ?? '')}"]`)
        .join('')
    : '';
  if (tid) keys.push(`${scope ? scope + ' ' : ''}[data-testid="${CSS.escape(tid)}"]`);
  if (scope) keys.push(`${scope} ${el.tagName.toLowerCase()}`);
  return keys;
}

function refocus(scope: ParentNode, keys: string[]): void {
  for (const k of keys) {
    const next = scope.querySelector<HTMLElement>(k);
    if (next) {
      next.focus({ preventScroll: true });
      return;
    }
  }
}

/**
 * Runs `render` (which replaces the children of `root`) and puts the keyboard focus back on the
 * matching element of the new tree, so a live update never throws a keyboard or screen-reader
 * user back to the top of the page.
 */
export function keepFocus(root: Element, render: () => void): void {
  const active = typeof document === 'undefined' ? null : document.activeElement;
  const keys = active && active !== document.body && root.contains(active) ? focusKeys(active) : [];
  render();
  if (keys.length === 0 || (active && active.isConnected)) return;
  refocus(root, keys);
}

/**
 * Remembers where the focus is (before a dialog opens) and returns a function that puts it back,
 * or on its replacement when the element was re-rendered meanwhile.
 */
export function focusRestorer(): () => void {
  const active = typeof document === 'undefined' ? null : (document.activeElement as HTMLElement | null);
  const keys = active && active !== document.body ? focusKeys(active) : [];
  return () => {
    if (active?.isConnected && active !== document.body) {
      active.focus();
      return;
    }
    refocus(document, keys);
  };
}

// ---------------------------------------------------------------- live pushes

export interface LiveAnnouncerOptions<S> {
  /** The quorum in a state, to announce when it is reached or lost. */
  quorum?: (s: S) => QuorumState | null;
  /** The votes in a state, to announce when one opens or closes. */
  votes?: (s: S) => readonly VoteInfo[];
}

/**
 * Announces what a delegate or operator who cannot see the screen must know at once: the
 * connection lost and back, the quorum reached or lost, a vote opened or closed. Returns the
 * unsubscribe function.
 */
export function announceLive<S>(ws: WsClient<S>, o: LiveAnnouncerOptions<S>): () => void {
  initAnnouncer();
  const conn = connAnnouncer();
  let reached: boolean | null = null;
  let open: Set<number> | null = null;
  return ws.subscribe((ev) => {
    if (ev.type === 'conn') conn(ev.conn);
    if (ev.type !== 'state') return;
    const q = o.quorum?.(ev.state) ?? null;
    if (q) {
      if (reached !== null && q.reached !== reached && ev.cause === 'push') {
        const params = { present: q.present, convened: q.convened };
        announce(q.reached ? t('quorum.announce_reached', params) : t('quorum.announce_lost', params));
      }
      reached = q.reached;
    }
    if (o.votes) {
      const votes = o.votes(ev.state);
      const now = new Set(votes.filter((v) => v.phase.state === 'open').map((v) => v.spec.id));
      if (open && ev.cause === 'push') {
        for (const v of votes) {
          const id = v.spec.id;
          if (now.has(id) && !open.has(id)) announce(t('vote.announce_opened', { title: v.spec.title }), { assertive: true });
          if (!now.has(id) && open.has(id) && v.phase.state === 'closed') announce(t('vote.announce_closed', { title: v.spec.title }));
        }
      }
      open = now;
    }
  });
}
