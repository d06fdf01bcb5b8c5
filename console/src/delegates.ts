/**
 * The delegate list (450 rows and more): diacritic-insensitive search, a status filter, and per
 * row the status and the credentials desk's action. Rows are built once and updated in place.
 */

import {
  field,
  fmtNumber,
  fmtTime,
  fold,
  h,
  matches,
  mount,
  t,
  type AttendanceRecord,
  type AttendanceStatus,
  type Delegate,
} from '@congress/web-common';

interface Row {
  d: Delegate;
  key: string;
  tr: HTMLTableRowElement;
  statusCell: HTMLTableCellElement;
  actionCell: HTMLTableCellElement;
  status: AttendanceStatus;
}

export interface DelegateTableOptions {
  canChange: boolean;
  onAction: (d: Delegate, status: 'present' | 'left') => void;
  /** More controls for a row's action cell (e.g. face enrolment). */
  extra?: (d: Delegate) => Node | null;
}

type Filter = 'all' | AttendanceStatus;

export class DelegateTable {
  private rows: Row[] = [];
  private byId = new Map<string, Row>();
  private records: Record<string, AttendanceRecord> = {};
  private query = '';
  private filter: Filter = 'all';
  private tbody: HTMLTableSectionElement = h('tbody');
  private countEl: HTMLElement = h('p');
  private delegates: Delegate[] = [];

  constructor(private readonly o: DelegateTableOptions) {}

  /** Builds the panel (again, e.g. after a language change) from the current data. */
  element(): HTMLElement {
    const search = h('input', {
      id: 'delegate-search',
      type: 'search',
      value: this.query,
      autocomplete: 'off',
      'data-testid': 'delegate-search',
      oninput: (e: Event) => {
        this.query = (e.target as HTMLInputElement).value;
        this.applyFilter();
      },
    });
    const filter = h(
      'select',
      {
        id: 'delegate-filter',
        'data-testid': 'delegate-filter',
        onchange: (e: Event) => {
          this.filter = (e.target as HTMLSelectElement).value as Filter;
          this.applyFilter();
        },
      },
      (['all', 'present', 'absent', 'left'] as Filter[]).map((f) =>
        h('option', { value: f, selected: f === this.filter }, f === 'all' ? t('delegate.filter_all') : t(`status.${f}`)),
      ),
    );
    this.tbody = h('tbody');
    this.countEl = h('p', { class: 'muted', 'data-testid': 'delegate-count', 'aria-live': 'polite' });
    const table = h(
      'table',
      { class: 'delegates', 'aria-labelledby': 'delegates-h' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('delegate.id')),
          h('th', { scope: 'col' }, t('delegate.name')),
          h('th', { scope: 'col' }, t('delegate.unit')),
          h('th', { scope: 'col' }, t('delegate.seat')),
          h('th', { scope: 'col' }, t('delegate.group')),
          h('th', { scope: 'col' }, t('delegate.status')),
          this.o.canChange ? h('th', { scope: 'col' }, t('delegate.action')) : null,
        ),
      ),
      this.tbody,
    );
    this.buildRows();
    return h(
      'section',
      { id: 'delegates', class: 'panel delegates-panel', 'aria-labelledby': 'delegates-h' },
      h('h2', { id: 'delegates-h' }, t('delegate.title')),
      h(
        'div',
        { class: 'filters' },
        field(t('delegate.search'), search, t('delegate.search_hint')),
        field(t('delegate.filter'), filter),
      ),
      this.countEl,
      h('div', { class: 'table-wrap' }, table),
    );
  }

  setDelegates(delegates: Delegate[], records: Record<string, AttendanceRecord>): void {
    this.delegates = delegates;
    this.records = records;
    this.buildRows();
  }

  /** Re-labelling happens by rebuilding via `element()`. */
  relabel(): void {}

  updateAll(records: Record<string, AttendanceRecord>): void {
    this.records = records;
    for (const r of this.rows) this.paint(r);
    this.applyFilter();
  }

  updateRecord(rec: AttendanceRecord | null, id: string): void {
    if (rec) this.records = { ...this.records, [id]: rec };
    const row = this.byId.get(id);
    if (!row) return;
    this.paint(row);
    this.applyFilter();
  }

  private buildRows(): void {
    this.rows = [];
    this.byId.clear();
    const frag = document.createDocumentFragment();
    for (const d of this.delegates) {
      const statusCell = h('td');
      const actionCell = h('td');
      const tr = h(
        'tr',
        { 'data-testid': 'delegate-row', 'data-id': d.id },
        h('td', { class: 'mono' }, d.id),
        h('th', { scope: 'row', class: 'name' }, d.full_name, d.roles.filter((r) => r !== 'delegate').map((r) => h('span', { class: 'role-tag' }, t(`role.${r}`)))),
        h('td', null, d.unit),
        h('td', { class: 'mono' }, d.seat),
        h('td', null, d.group),
        statusCell,
        this.o.canChange ? actionCell : null,
      );
      const row: Row = {
        d,
        key: fold(`${d.id} ${d.full_name} ${d.unit} ${d.seat} ${d.group}`),
        tr,
        statusCell,
        actionCell,
        status: 'absent',
      };
      this.rows.push(row);
      this.byId.set(d.id, row);
      this.paint(row);
      frag.appendChild(tr);
    }
    this.tbody.replaceChildren(frag);
    this.applyFilter();
  }

  private paint(row: Row): void {
    const rec = this.records[row.d.id];
    const status: AttendanceStatus = rec?.status ?? 'absent';
    row.status = status;
    row.tr.dataset.status = status;
    mount(
      row.statusCell,
      h('span', { class: `status status-${status}`, 'data-testid': 'status' }, t(`status.${status}`)),
      rec ? h('span', { class: 'muted small when' }, ` ${fmtTime(rec.at)}`) : null,
    );
    if (this.o.canChange) {
      const next = status === 'present' ? 'left' : 'present';
      mount(
        row.actionCell,
        h(
          'button',
          {
            type: 'button',
            class: next === 'present' ? 'btn btn-primary' : 'btn',
            'data-testid': next === 'present' ? 'check-in' : 'mark-left',
            'aria-label': `${next === 'present' ? t('attendance.check_in') : t('attendance.mark_left')}: ${row.d.full_name}`,
            onclick: () => this.o.onAction(row.d, next),
          },
          next === 'present' ? t('attendance.check_in') : t('attendance.mark_left'),
        ),
        this.o.extra?.(row.d) ?? null,
      );
    } else if (this.o.extra) {
      mount(row.actionCell, this.o.extra(row.d));
    }
  }

  private applyFilter(): void {
    let shown = 0;
    const q = this.query.trim();
    for (const r of this.rows) {
      const ok = (this.filter === 'all' || r.status === this.filter) && (!q || matches(r.key, q));
      r.tr.hidden = !ok;
      if (ok) shown += 1;
    }
    this.countEl.textContent = t('delegate.count', { shown: fmtNumber(shown), total: fmtNumber(this.rows.length), n: this.rows.length });
  }
}
