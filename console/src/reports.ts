/**
 * Console: reports derived from the journal. "Minutes" downloads the minutes as PDF or CSV (or
 * previews the HTML) in the chosen language; "Audit" lists who did what and when, newest first,
 * filtered by actor and kind, page by page. Admin, secretariat and observers only.
 */
import {
  ApiClient,
  ApiError,
  errorBox,
  field,
  fmtDateTime,
  getLanguage,
  h,
  mount,
  t,
  type AuditEntry,
  type AuditPage,
  type Lang,
  type MessageKey,
} from '@congress/web-common';

const LANG_NAMES: Record<Lang, string> = { vi: 'Tiếng Việt', en: 'English', ar: 'العربية' };

/** Kinds of event offered as filters (journal `kind` values, comma-separated). */
const KIND_GROUPS: Array<[MessageKey, string]> = [
  ['audit.k.attendance', 'attendance_changed'],
  ['audit.k.votes', 'vote_created,vote_opened,vote_closed,ballot_cast,vote_participated'],
  ['audit.k.documents', 'document_version_added,document_updated,document_delivered,document_fetched,documents_purged'],
  ['audit.k.sessions', 'session_opened,session_closed,operator_saved'],
  ['audit.k.devices', 'pairing_code_created,device_paired,device_revoked,same_operator_refused'],
  ['audit.k.agenda', 'agenda_defined,current_item_set'],
  ['audit.k.privacy', 'biometrics_purged,documents_purged,face_enrolled'],
];

/** Fetches `path` with the bearer token and saves the body as `file`. */
async function download(path: string, token: string, file: string): Promise<void> {
  const r = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) {
    let message = `HTTP ${r.status}`;
    let code = `http_${r.status}`;
    try {
      const e = (await r.json()) as { error?: string; message?: string };
      message = e.message ?? message;
      code = e.error ?? code;
    } catch {
      /* not JSON */
    }
    throw new ApiError(r.status, code, message);
  }
  const blob = await r.blob();
  const a = h('a', { href: URL.createObjectURL(blob), download: file });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

export class MinutesPanel {
  readonly el = h('section', { id: 'minutes', class: 'panel', 'aria-labelledby': 'minutes-h', 'data-testid': 'minutes' });
  private status = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'minutes-status' });
  private lang: Lang = getLanguage();

  constructor(private readonly token: () => string) {}

  render(): void {
    const sel = h(
      'select',
      { id: 'minutes-lang', 'data-testid': 'minutes-lang', onchange: (e: Event) => (this.lang = (e.target as HTMLSelectElement).value as Lang) },
      (['vi', 'en', 'ar'] as Lang[]).map((l) => h('option', { value: l, selected: l === this.lang, lang: l }, LANG_NAMES[l])),
    );
    const get = (ext: 'pdf' | 'csv') => async (e: Event) => {
      const btn = e.currentTarget as HTMLButtonElement;
      btn.disabled = true;
      mount(this.status, h('p', { class: 'muted' }, t('common.working')));
      const file = `minutes-${this.lang}.${ext}`;
      try {
        await download(`/api/minutes.${ext}?lang=${this.lang}`, this.token(), file);
        mount(this.status, h('p', null, t('minutes.ready', { file })));
      } catch (err) {
        mount(this.status, errorBox(err));
      } finally {
        btn.disabled = false;
      }
    };
    const preview = async () => {
      try {
        const r = await fetch(`/api/minutes.html?lang=${this.lang}`, { headers: { authorization: `Bearer ${this.token()}` } });
        if (!r.ok) throw new ApiError(r.status, `http_${r.status}`, await r.text());
        const url = URL.createObjectURL(new Blob([await r.text()], { type: 'text/html' }));
        window.open(url, '_blank', 'noopener');
      } catch (err) {
        mount(this.status, errorBox(err));
      }
    };
    mount(
      this.el,
      h('h2', { id: 'minutes-h' }, t('minutes.title')),
      h('p', { class: 'hint' }, t('minutes.hint')),
      field(t('minutes.lang'), sel),
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'minutes-pdf', onclick: get('pdf') }, t('minutes.pdf')),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'minutes-csv', onclick: get('csv') }, t('minutes.csv')),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'minutes-html', onclick: () => void preview() }, t('minutes.html')),
      ),
      this.status,
    );
  }
}

export class AuditPanel {
  readonly el = h('section', { id: 'audit', class: 'panel audit-panel', 'aria-labelledby': 'audit-h', 'data-testid': 'audit' });
  private entries: AuditEntry[] = [];
  private next: number | null = null;
  private error: unknown = null;
  private actor = '';
  private kind = '';
  private list = h('div');

  private pokeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly api: ApiClient) {}

  /** Something happened: refresh the newest page within a second (not while paging back). */
  poke(): void {
    if (this.pokeTimer !== null || this.entries.length > 50) return;
    this.pokeTimer = setTimeout(() => {
      this.pokeTimer = null;
      void this.refresh();
    }, 1000);
  }

  private query(before: number | null): string {
    const q = new URLSearchParams({ limit: '50', lang: getLanguage() });
    if (before !== null) q.set('before', String(before));
    if (this.actor.trim()) q.set('actor', this.actor.trim());
    if (this.kind) q.set('kind', this.kind);
    return `/api/audit?${q}`;
  }

  async refresh(): Promise<void> {
    try {
      const page = await this.api.request<AuditPage>('GET', this.query(null));
      this.entries = page.entries;
      this.next = page.next_before;
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.renderList();
  }

  private async more(): Promise<void> {
    if (this.next === null) return;
    try {
      const page = await this.api.request<AuditPage>('GET', this.query(this.next));
      this.entries = this.entries.concat(page.entries);
      this.next = page.next_before;
    } catch (e) {
      this.error = e;
    }
    this.renderList();
  }

  render(): void {
    const actor = h('input', {
      id: 'audit-actor',
      'data-testid': 'audit-actor',
      value: this.actor,
      placeholder: t('audit.actor_placeholder'),
      onchange: (e: Event) => {
        this.actor = (e.target as HTMLInputElement).value;
        void this.refresh();
      },
    });
    const kind = h(
      'select',
      {
        id: 'audit-kind',
        'data-testid': 'audit-kind',
        onchange: (e: Event) => {
          this.kind = (e.target as HTMLSelectElement).value;
          void this.refresh();
        },
      },
      h('option', { value: '' }, t('audit.kind_all')),
      KIND_GROUPS.map(([label, kinds]) => h('option', { value: kinds, selected: kinds === this.kind }, t(label))),
    );
    mount(
      this.el,
      h('h2', { id: 'audit-h' }, t('audit.title')),
      h('p', { class: 'hint' }, t('audit.hint')),
      h('div', { class: 'audit-filters' }, field(t('audit.actor'), actor), field(t('audit.kind'), kind)),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'audit-refresh', onclick: () => void this.refresh() }, t('audit.refresh')),
      this.list,
    );
    this.renderList();
  }

  private renderList(): void {
    if (this.error) {
      mount(this.list, errorBox(this.error));
      return;
    }
    if (this.entries.length === 0) {
      mount(this.list, h('p', { class: 'muted' }, t('audit.empty')));
      return;
    }
    mount(
      this.list,
      h(
        'table',
        { class: 'audit-table', 'data-testid': 'audit-table' },
        h(
          'thead',
          null,
          h('tr', null, h('th', { scope: 'col' }, t('audit.col_seq')), h('th', { scope: 'col' }, t('audit.col_time')), h('th', { scope: 'col' }, t('audit.col_actor')), h('th', { scope: 'col' }, t('audit.col_what'))),
        ),
        h(
          'tbody',
          null,
          this.entries.map((e) =>
            h('tr', { 'data-kind': e.kind }, h('td', { class: 'num' }, String(e.seq)), h('td', null, fmtDateTime(e.at)), h('td', { dir: 'ltr' }, e.actor), h('td', null, e.text)),
          ),
        ),
      ),
      this.next !== null
        ? h('button', { type: 'button', class: 'btn', 'data-testid': 'audit-more', onclick: () => void this.more() }, t('audit.more'))
        : null,
    );
  }
}
