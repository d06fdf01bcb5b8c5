/**
 * The console's discussion-groups panel: each group with its members (present) and its
 * secretary, who the secretariat designates here from the group's members; and, per agenda
 * item, the summaries the groups have submitted and which groups have not submitted yet.
 * Refetched (`GET /api/groups`) on group pushes, coalesced.
 */

import { errorBox, fmtTime, h, mount, newClientId, t, type Agenda, type ApiClient, type Delegate, type GroupInfo, type GroupsOverview, type WsClient } from '@congress/web-common';

function natural(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

export class GroupsPanel<S> {
  readonly el = h('section', { id: 'groups', class: 'panel groups-panel', 'aria-labelledby': 'groups-h', 'data-testid': 'groups-panel' });
  private overview: GroupsOverview | null = null;
  private error: unknown = null;
  /** The item the operator picked; until then the current item is shown. */
  private item: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly tableSlot = h('div');
  private readonly summarySlot = h('div');

  constructor(
    private readonly api: ApiClient,
    ws: WsClient<S>,
    private readonly canManage: boolean,
    private readonly delegates: () => Delegate[],
    private readonly agenda: () => Agenda | null,
  ) {
    ws.subscribe((ev) => {
      if (ev.type !== 'state') return;
      const k = ev.push?.kind;
      if (ev.cause === 'snapshot' || k === 'group_summary' || k === 'group_secretary' || k === 'delegates' || k === 'attendance') this.refreshSoon();
      if (k === 'agenda') this.renderSummaries();
    });
  }

  refreshSoon(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, 300);
  }

  async refresh(): Promise<void> {
    try {
      this.overview = await this.api.request<GroupsOverview>('GET', '/api/groups');
      this.error = null;
    } catch (e) {
      this.error = e;
    }
    this.renderTable();
    this.renderSummaries();
  }

  render(): void {
    mount(
      this.el,
      h('h2', { id: 'groups-h' }, t('groups.title')),
      this.tableSlot,
      h('h3', { id: 'summaries-h' }, t('groups.summaries_title')),
      this.summarySlot,
    );
    this.renderTable();
    this.renderSummaries();
  }

  private name(id: string): string {
    return this.delegates().find((d) => d.id === id)?.full_name ?? id;
  }

  private async setSecretary(g: GroupInfo, delegate_id: string | null, slot: HTMLElement): Promise<void> {
    mount(slot, h('span', { class: 'muted' }, t('common.working')));
    try {
      await this.api.request('PUT', '/api/groups/secretary', { client_id: newClientId(), group: g.group, delegate_id });
      mount(slot, h('span', { class: 'ok-text' }, t('groups.saved')));
      await this.refresh();
    } catch (e) {
      mount(slot, errorBox(e));
    }
  }

  private renderTable(): void {
    const o = this.overview;
    if (!o) {
      mount(this.tableSlot, this.error ? errorBox(this.error) : h('p', { class: 'muted' }, t('common.loading')));
      return;
    }
    const groups = o.groups.slice().sort((a, b) => natural(a.group, b.group));
    const members = (g: string) =>
      this.delegates()
        .filter((d) => d.group === g)
        .sort((a, b) => a.full_name.localeCompare(b.full_name, 'vi'));
    mount(
      this.tableSlot,
      this.error ? errorBox(this.error) : null,
      h(
        'table',
        { class: 'groups-table', 'data-testid': 'groups-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('groups.col_group')), h('th', { scope: 'col' }, t('groups.col_members')), h('th', { scope: 'col' }, t('groups.col_secretary')))),
        h(
          'tbody',
          null,
          groups.map((g) => {
            const slot = h('div', { 'aria-live': 'polite' });
            const cell = this.canManage
              ? h(
                  'select',
                  {
                    'aria-label': t('groups.secretary_for', { group: g.group }),
                    'data-testid': `secretary-${g.group}`,
                    onchange: (e: Event) => {
                      const v = (e.target as HTMLSelectElement).value;
                      void this.setSecretary(g, v || null, slot);
                    },
                  },
                  h('option', { value: '', selected: !g.secretary }, t('groups.none_selected')),
                  members(g.group).map((d) => h('option', { value: d.id, selected: d.id === g.secretary }, `${d.full_name} (${d.id})`)),
                )
              : h('span', null, g.secretary ? this.name(g.secretary) : t('groups.none_selected'));
            return h(
              'tr',
              { 'data-group': g.group },
              h('th', { scope: 'row' }, g.group),
              h('td', { class: 'mono' }, `${g.members} (${g.present})`),
              h('td', null, cell, slot),
            );
          }),
        ),
      ),
    );
  }

  private renderSummaries(): void {
    const o = this.overview;
    const agenda = this.agenda();
    if (!o || !agenda) {
      mount(this.summarySlot);
      return;
    }
    if (this.item && !agenda.items.some((i) => i.id === this.item)) this.item = null;
    const item = this.item ?? agenda.current ?? agenda.items[0]?.id ?? null;
    const select = h(
      'select',
      {
        id: 'summary-item',
        'data-testid': 'summary-item',
        onchange: (e: Event) => {
          this.item = (e.target as HTMLSelectElement).value;
          this.renderSummaries();
        },
      },
      agenda.items.map((i) => h('option', { value: i.id, selected: i.id === item }, `${i.id}. ${i.title}`)),
    );
    const sums = o.summaries.filter((s) => s.item_id === item).sort((a, b) => natural(a.group, b.group));
    const done = new Set(sums.map((s) => s.group));
    const missing = o.groups.map((g) => g.group).filter((g) => !done.has(g)).sort(natural);
    mount(
      this.summarySlot,
      h('div', { class: 'field' }, h('label', { for: 'summary-item' }, t('groups.item')), select),
      h('p', { 'data-testid': 'summaries-count', 'data-value': String(sums.length) }, h('strong', null, t('groups.submitted_count', { n: sums.length, total: o.groups.length }))),
      h('p', { class: 'muted', 'data-testid': 'summaries-missing' }, missing.length ? t('groups.not_submitted', { groups: missing.join(', ') }) : t('groups.all_submitted')),
      h(
        'ul',
        { class: 'summary-list', 'aria-labelledby': 'summaries-h' },
        sums.map((s) =>
          h(
            'li',
            { 'data-testid': 'group-summary', 'data-group': s.group },
            h('h4', null, s.group),
            h('p', { class: 'notice-meta' }, t('groups.summary_meta', { name: this.name(s.by), time: fmtTime(s.submitted_at ?? s.at) })),
            h('p', { class: 'notice-text', dir: 'auto' }, s.text),
          ),
        ),
      ),
    );
  }
}
