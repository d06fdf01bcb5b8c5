/** Shared widgets: language picker, connection banner, error box. */

import { h } from './dom';
import { LANGS, getLanguage, isLang, setLanguage, t } from './i18n';
import type { ConnState } from './ws';
import { errorDetail, errorText } from './api';

/** A labelled language picker; the choice is kept on this device. */
export function langPicker(): HTMLElement {
  const sel = h(
    'select',
    {
      'aria-label': t('common.language'),
      class: 'lang-select',
      'data-testid': 'lang',
      onchange: (e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        if (isLang(v)) setLanguage(v);
      },
    },
    LANGS.map((l) =>
      h('option', { value: l.code, lang: l.code, selected: l.code === getLanguage() }, l.name),
    ),
  );
  return h('span', { class: 'lang-picker' }, sel);
}

/** The text for a connection state. */
export function connText(conn: ConnState): string {
  switch (conn) {
    case 'online':
      return t('conn.online');
    case 'connecting':
      return t('conn.connecting');
    case 'offline':
      return t('conn.offline');
    case 'stopped':
      return t('conn.stopped');
  }
}

/** A small always-visible connection indicator. */
export function connBadge(conn: ConnState): HTMLElement {
  return h(
    'span',
    { class: `conn conn-${conn}`, role: 'status', 'data-testid': 'conn', 'data-conn': conn },
    h('span', { class: 'conn-dot', 'aria-hidden': 'true' }),
    connText(conn),
  );
}

/** A banner shown while the live connection is down; hidden when online. */
export function offlineBanner(conn: ConnState): HTMLElement | null {
  if (conn === 'online') return null;
  return h(
    'div',
    { class: 'banner banner-offline', role: 'alert', 'data-testid': 'offline-banner' },
    conn === 'connecting' ? t('conn.connecting_banner') : t('conn.offline_banner'),
  );
}

/** An error box with the translated message and the server's detail. */
export function errorBox(err: unknown): HTMLElement {
  const detail = errorDetail(err);
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-testid': 'error' },
    h('strong', null, errorText(err)),
    detail ? h('span', { class: 'error-detail' }, detail) : null,
  );
}

/** A `nav` landmark with links to the sections of a page (a short way round for keyboards). */
export function sectionNav(links: readonly { href: string; label: string }[]): HTMLElement {
  return h(
    'nav',
    { class: 'section-nav', 'aria-label': t('a11y.sections') },
    // ids keep the keyboard focus on a link across a re-render (see keepFocus)
    h('ul', null, links.map((l) => h('li', null, h('a', { href: l.href, id: `nav-${l.href.replace(/^#/, '')}` }, l.label)))),
  );
}
