/**
 * The tablet's document library: documents by agenda item, ciphertext kept offline in the Cache
 * API, decrypted in memory with the tablet's age identity, rendered with pdf.js; search; a badge
 * when a newer version arrives. Plaintext is never written to any storage.
 */
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import {
  ApiClient,
  ApiError,
  fmtBytes,
  fmtNumber,
  fmtTime,
  h,
  keepFocus,
  local,
  onLanguageChange,
  read,
  t,
  write,
  type Agenda,
  type Document,
  type DocVersion,
  type SearchResults,
} from '@congress/web-common';
import { decryptInMemory } from './agecrypt';
import { deviceIdentity } from './keys';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

const CACHE = 'congress-docs-v1';
const SEEN_KEY = 'congress.tablet.docs_seen';

type Seen = Record<string, number>;

function loadSeen(): Seen {
  try {
    return JSON.parse(read(local(), SEEN_KEY) ?? '{}') as Seen;
  } catch {
    return {};
  }
}


function contentUrl(d: Document, v: DocVersion): string {
  return `/api/documents/${d.id}/versions/${v.version}/content`;
}

export class Library {
  docs: Document[] = [];
  private seen: Seen = loadSeen();
  private status = new Map<number, string>();
  private hits: SearchResults | null = null;
  private reader: { doc: Document; pdf: pdfjs.PDFDocumentProxy; page: number; zoom: number } | null = null;
  private message: string | null = null;
  readonly el = h('section', { id: 'docs', class: 'panel docs', 'aria-labelledby': 'docs-h', 'data-testid': 'library' });

  constructor(
    private readonly token: () => string,
    private agenda: () => Agenda | null,
  ) {
    // The panel is kept across the app's re-renders, so it follows the language itself.
    onLanguageChange(() => this.render());
  }

  private api(): ApiClient {
    return new ApiClient({ token: () => this.token() });
  }

  /** Fetches the list and downloads what is missing; call on start and on a document push. */
  async refresh(): Promise<void> {
    try {
      this.docs = await this.api().request<Document[]>('GET', '/api/documents');
    } catch {
      /* offline: keep the list we have */
    }
    this.render();
    for (const d of this.docs) void this.download(d);
  }

  private latestDelivered(d: Document): DocVersion | null {
    for (let i = d.versions.length - 1; i >= 0; i--) {
      const v = d.versions[i];
      if (v?.delivery) return v;
    }
    return null;
  }

  private cacheKey(d: Document, v: DocVersion): string {
    return `${contentUrl(d, v)}?etag=${encodeURIComponent(v.delivery?.etag ?? '')}`;
  }

  private async download(d: Document): Promise<void> {
    const v = this.latestDelivered(d);
    if (!v) {
      this.status.set(d.id, t('docs.preparing'));
      this.render();
      return;
    }
    try {
      const cache = await caches.open(CACHE);
      const key = this.cacheKey(d, v);
      if (await cache.match(key)) {
        this.status.set(d.id, t('docs.offline_ready'));
        this.render();
        return;
      }
      this.status.set(d.id, t('docs.downloading'));
      this.render();
      const res = await fetch(contentUrl(d, v), { headers: { Authorization: `Bearer ${this.token()}` } });
      if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
      await cache.put(key, res);
      // Older copies of this document are no longer needed.
      for (const req of await cache.keys()) {
        const u = new URL(req.url);
        if (u.pathname.startsWith(`/api/documents/${d.id}/`) && !key.startsWith(u.pathname + '?etag=' + u.searchParams.get('etag'))) {
          if (`${u.pathname}${u.search}` !== key) await cache.delete(req);
        }
      }
      this.status.set(d.id, t('docs.offline_ready'));
    } catch (e) {
      this.status.set(d.id, t('docs.error', { detail: e instanceof Error ? e.message : String(e) }));
    }
    this.render();
  }

  private async open(d: Document, page = 1): Promise<void> {
    const v = this.latestDelivered(d);
    if (!v) {
      // not yet encrypted to this tablet: say so rather than do nothing
      this.message = t('docs.preparing');
      this.render();
      return;
    }
    try {
      const identity = await deviceIdentity();
      if (!identity) {
        this.message = t('docs.no_key');
        this.render();
        return;
      }
      const cache = await caches.open(CACHE);
      let res = await cache.match(this.cacheKey(d, v));
      if (!res) {
        await this.download(d);
        res = await cache.match(this.cacheKey(d, v));
      }
      if (!res) throw new Error(t('docs.preparing'));
      const cipher = new Uint8Array(await res.arrayBuffer());
      const plain = await decryptInMemory(cipher, identity);
      const pdf = await pdfjs.getDocument({ data: plain }).promise;
      void this.reader?.pdf.cleanup();
      this.reader = { doc: d, pdf, page: Math.min(page, pdf.numPages), zoom: 1.2 };
      this.seen[String(d.id)] = v.version;
      write(local(), SEEN_KEY, JSON.stringify(this.seen));
      this.message = null;
      this.render();
    } catch (e) {
      this.message = t('docs.error', { detail: e instanceof Error ? e.message : String(e) });
      this.render();
    }
  }

  private async drawPage(canvas: HTMLCanvasElement): Promise<void> {
    const r = this.reader;
    if (!r) return;
    const page = await r.pdf.getPage(r.page);
    const viewport = page.getViewport({ scale: r.zoom });
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    await page.render({ canvas, viewport }).promise;
  }

  private async search(q: string): Promise<void> {
    if (!q.trim()) {
      this.hits = null;
      this.render();
      return;
    }
    try {
      this.hits = await this.api().request<SearchResults>('GET', `/api/search?q=${encodeURIComponent(q)}`);
    } catch (e) {
      this.message = t('docs.error', { detail: e instanceof Error ? e.message : String(e) });
    }
    this.render();
  }

  private badge(d: Document): HTMLElement | null {
    const v = this.latestDelivered(d);
    if (!v) return null;
    const seen = this.seen[String(d.id)];
    if (seen === undefined) return h('span', { class: 'badge badge-new', 'data-testid': 'doc-badge' }, t('docs.new'));
    if (seen >= v.version) return null;
    return h(
      'span',
      { class: 'badge badge-new', 'data-testid': 'doc-badge', 'data-version': String(v.version) },
      t('docs.updated', {
        version: fmtNumber(v.version),
        changed: fmtNumber(v.changed_pages ?? v.pages),
        size: fmtBytes(v.size),
        time: fmtTime(v.uploaded_at),
      }),
    );
  }

  /** Redraws the panel, keeping the keyboard focus where it was (e.g. on "next page"). */
  render(): void {
    keepFocus(this.el, () => this.draw());
  }

  private draw(): void {
    const el = this.el;
    el.replaceChildren();
    el.append(h('h2', { id: 'docs-h' }, t('docs.title')));
    const input = h('input', { type: 'search', id: 'doc-search', 'data-testid': 'doc-search', 'aria-label': t('docs.search'), placeholder: t('docs.search') });
    const form = h('form', { class: 'doc-search', role: 'search' }, input, h('button', { type: 'submit', class: 'btn' }, t('docs.search_go')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.search(input.value);
    });
    el.append(form);
    if (this.message) el.append(h('p', { class: 'banner', role: 'alert' }, this.message));
    if (this.hits) {
      const list = h('ul', { class: 'doc-hits', 'data-testid': 'doc-hits' });
      if (this.hits.hits.length === 0) list.append(h('li', null, t('docs.no_hits')));
      for (const hit of this.hits.hits) {
        const doc = this.docs.find((d) => d.id === hit.document_id);
        const b = h('button', { type: 'button', class: 'link' }, t('docs.hit_page', { title: hit.title, page: fmtNumber(hit.page) }));
        b.addEventListener('click', () => doc && void this.open(doc, hit.page));
        list.append(h('li', null, b, h('p', { class: 'snippet' }, ...hit.snippet.map((p) => (p.highlight ? h('mark', null, p.text) : p.text)))));
      }
      el.append(list);
    }
    if (this.reader) {
      const r = this.reader;
      // dir=ltr: pdf.js places each glyph itself; a canvas that inherits the page's right-to-left
      // direction draws them mirrored and jumbled ("Draft" became "D:p.ft") in Arabic
      const canvas = h('canvas', { class: 'pdf-page', dir: 'ltr', role: 'img', 'aria-label': t('docs.page_image', { title: r.doc.title, page: fmtNumber(r.page) }), 'data-testid': 'pdf-canvas' });
      const btn = (key: string, label: string, f: () => void, disabled = false) => {
        const b = h('button', { type: 'button', id: `reader-${key}`, class: 'btn', disabled }, label);
        b.addEventListener('click', f);
        return b;
      };
      el.append(
        h(
          'div',
          { class: 'reader', 'data-testid': 'reader' },
          h('h3', null, r.doc.title),
          h(
            'div',
            { class: 'reader-tools' },
            btn('prev', t('docs.prev'), () => { r.page--; this.render(); }, r.page <= 1),
            h('span', { 'data-testid': 'page-no' }, t('docs.page', { page: fmtNumber(r.page), pages: fmtNumber(r.pdf.numPages) })),
            btn('next', t('docs.next'), () => { r.page++; this.render(); }, r.page >= r.pdf.numPages),
            btn('zoom_out', t('docs.zoom_out'), () => { r.zoom = Math.max(0.5, r.zoom / 1.25); this.render(); }),
            btn('zoom_in', t('docs.zoom_in'), () => { r.zoom = Math.min(4, r.zoom * 1.25); this.render(); }),
            btn('close', t('docs.close'), () => { void r.pdf.cleanup(); this.reader = null; this.render(); }),
          ),
          canvas,
        ),
      );
      void this.drawPage(canvas);
    }
    if (this.docs.length === 0) {
      el.append(h('p', { class: 'muted' }, t('docs.none')));
      return;
    }
    const items = this.agenda()?.items ?? [];
    const groups: { title: string; docs: Document[] }[] = items.map((i) => ({ title: i.title, docs: this.docs.filter((d) => d.agenda_item_id === i.id) }));
    groups.push({ title: t('docs.other_items'), docs: this.docs.filter((d) => !items.some((i) => i.id === d.agenda_item_id)) });
    for (const g of groups) {
      if (g.docs.length === 0) continue;
      el.append(h('h3', null, g.title));
      const ul = h('ul', { class: 'doc-list' });
      for (const d of g.docs) {
        const v = d.versions[d.versions.length - 1];
        if (!v) continue;
        const open = h('button', { type: 'button', class: 'btn', 'aria-label': `${t('docs.open')}: ${d.title}`, 'data-testid': 'doc-open', 'data-doc': String(d.id) }, t('docs.open'));
        open.addEventListener('click', () => void this.open(d));
        ul.append(
          h(
            'li',
            { 'data-testid': 'doc', 'data-doc': String(d.id) },
            h('span', { class: 'title' }, d.title),
            ' ',
            h('span', { class: 'muted' }, `${t('docs.version', { version: fmtNumber(v.version) })} · ${fmtBytes(v.size)}`),
            ' ',
            this.badge(d),
            ' ',
            h('span', { class: 'muted', 'data-testid': 'doc-status' }, this.status.get(d.id) ?? ''),
            ' ',
            open,
          ),
        );
      }
      el.append(ul);
    }
  }
}
