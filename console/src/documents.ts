/**
 * Console: documents. Upload by drag and drop or file picker (raw body, progress from XHR upload
 * events), title, agenda item and who may read; new versions; which tablets fetched which version.
 */
import {
  ApiClient,
  fmtNumber,
  fmtTime,
  h,
  mount,
  onLanguageChange,
  t,
  type Agenda,
  type DocAudience,
  type DocumentAdmin,
  type UploadAck,
} from '@congress/web-common';

function audienceText(a: DocAudience): string {
  if (a.kind === 'group') return t('docs.audience.group', { group: a.group });
  return a.kind === 'presidium' ? t('docs.audience.presidium') : t('docs.audience.all');
}

/** Sends `file` as the raw body with progress; resolves with the parsed JSON answer. */
function send(url: string, token: string, file: File, onProgress: (pct: number) => void): Promise<UploadAck> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/pdf');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total));
    };
    xhr.onload = () => {
      let body: { message?: string } & Partial<UploadAck> = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON */
      }
      if (xhr.status === 200) resolve(body as UploadAck);
      else reject(new Error(body.message ?? t('error.unknown')));
    };
    xhr.onerror = () => reject(new Error(t('error.network')));
    xhr.send(file);
  });
}

export class DocumentsPanel {
  readonly el = h('section', { id: 'documents', class: 'panel', 'aria-labelledby': 'docs-h', 'data-testid': 'documents' });
  private docs: DocumentAdmin[] = [];
  private status = h('div', { 'data-testid': 'upload-status', role: 'status' });
  private form: HTMLElement | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly token: () => string,
    private readonly agenda: () => Agenda | null,
    private readonly canUpload: boolean,
  ) {
    // (a panel left behind by a sign-out is no longer in the page: nothing to redraw)
    onLanguageChange(() => {
      if (this.el.isConnected) this.render();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.docs = await this.api.request<DocumentAdmin[]>('GET', '/api/documents');
    } catch {
      /* keep the list */
    }
    this.renderList();
  }

  private list = h('div');

  private async upload(file: File, target: number | null, meta: { title: string; item: string; audience: string }): Promise<void> {
    const q = new URLSearchParams({ file_name: file.name });
    let url: string;
    if (target === null) {
      q.set('title', meta.title || file.name.replace(/\.pdf$/i, ''));
      q.set('audience', meta.audience);
      if (meta.item) q.set('agenda_item_id', meta.item);
      url = `/api/documents?${q}`;
    } else {
      url = `/api/documents/${target}/versions?${q}`;
    }
    mount(this.status, h('p', null, t('docs.progress', { percent: fmtNumber(0) })));
    try {
      const ack = await send(url, this.token(), file, (p) => mount(this.status, h('p', null, t('docs.progress', { percent: fmtNumber(p) }))));
      const v = ack.document.versions[ack.document.versions.length - 1];
      mount(this.status, h('p', { class: 'ok' }, t('docs.uploaded', { version: fmtNumber(v?.version ?? 1) })));
      await this.refresh();
    } catch (e) {
      mount(this.status, h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  render(): void {
    const items = this.agenda()?.items ?? [];
    const title = h('input', { type: 'text', id: 'doc-title', 'data-testid': 'doc-title' });
    const item = h('select', { id: 'doc-item', 'data-testid': 'doc-item' }, h('option', { value: '' }, t('docs.no_item')), ...items.map((i) => h('option', { value: i.id }, i.title)));
    const audience = h(
      'select',
      { id: 'doc-audience', 'data-testid': 'doc-audience' },
      h('option', { value: 'all' }, t('docs.audience.all')),
      h('option', { value: 'presidium' }, t('docs.audience.presidium')),
      h('option', { value: 'group' }, t('docs.audience.group', { group: '…' })),
    );
    const group = h('input', { type: 'text', id: 'doc-group', 'data-testid': 'doc-group' });
    const file = h('input', { type: 'file', accept: 'application/pdf,.pdf', id: 'doc-file', 'data-testid': 'doc-file' });
    const drop = h('div', { class: 'dropzone', 'data-testid': 'dropzone' }, h('label', { for: 'doc-file' }, t('docs.drop')), file);
    const meta = () => ({
      title: title.value.trim(),
      item: item.value,
      audience: audience.value === 'group' ? `group:${group.value.trim()}` : audience.value,
    });
    const go = (f: File | undefined) => f && void this.upload(f, null, meta());
    file.addEventListener('change', () => go(file.files?.[0]));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      go(e.dataTransfer?.files[0]);
    });
    this.form = this.canUpload
      ? h(
          'div',
          { class: 'doc-upload' },
          h('h3', null, t('docs.upload')),
          h('label', { for: 'doc-title' }, t('docs.doc_title')),
          title,
          h('label', { for: 'doc-item' }, t('docs.agenda_item')),
          item,
          h('label', { for: 'doc-audience' }, t('docs.audience')),
          audience,
          h('label', { for: 'doc-group' }, t('docs.group_name')),
          group,
          drop,
          this.status,
        )
      : null;
    mount(this.el, h('h2', { id: 'docs-h' }, t('docs.title')), this.form, this.list);
    this.renderList();
  }

  private renderList(): void {
    if (this.docs.length === 0) {
      mount(this.list, h('p', { class: 'muted' }, t('docs.none')));
      return;
    }
    mount(
      this.list,
      h(
        'ul',
        { class: 'doc-admin-list', 'data-testid': 'doc-admin-list' },
        ...this.docs.map(({ document: d, fetches }) => {
          const v = d.versions[d.versions.length - 1];
          const newVersion = h('input', { type: 'file', accept: 'application/pdf,.pdf', 'aria-label': `${t('docs.new_version')}: ${d.title}`, 'data-testid': 'doc-new-version', 'data-doc': String(d.id) });
          newVersion.addEventListener('change', () => {
            const f = newVersion.files?.[0];
            if (f) void this.upload(f, d.id, { title: '', item: '', audience: '' });
          });
          return h(
            'li',
            { 'data-doc': String(d.id) },
            h('strong', null, d.title),
            ' · ',
            audienceText(d.audience),
            ' · ',
            t('docs.version', { version: fmtNumber(v?.version ?? 0) }),
            v ? ` · ${v.file_name} · ${fmtTime(v.uploaded_at)}` : '',
            v?.purged_at != null ? h('div', { class: 'doc-purged', 'data-testid': 'doc-purged' }, t('docs.purged', { time: fmtTime(v.purged_at) })) : null,
            h(
              'div',
              { class: 'muted' },
              t('docs.delivered', { count: fmtNumber(v?.delivery?.devices.length ?? 0) }),
              ' · ',
              h('span', { 'data-testid': 'doc-fetches' }, t('docs.fetched', { count: fmtNumber(fetches.filter((f) => f.version === v?.version).length) })),
              // device ids are isolated (FSI … PDI) so they keep their order in Arabic text
              fetches.length ? ` · ${fetches.map((f) => t('docs.fetch_entry', { device: `\u2068${f.device_id}\u2069`, version: f.version })).join(', ')}` : '',
            ),
            this.canUpload ? h('label', null, t('docs.new_version'), ' ', newVersion) : null,
          );
        }),
      ),
    );
  }
}
