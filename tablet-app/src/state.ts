/** The tablet's live state: the congress, the agenda, and its own delegate's attendance. */

import type { Agenda, AttendanceRecord, AttendanceSummary, Congress, Delegate, Reducer } from '@congress/web-common';

export interface TabletState {
  congress: Congress;
  agenda: Agenda;
  summary: AttendanceSummary;
  me: Delegate | null;
  mine: AttendanceRecord | null;
}

export const tabletReducer: Reducer<TabletState> = {
  fromSnapshot: (s) => ({
    congress: s.congress,
    agenda: s.agenda,
    summary: s.attendance,
    me: s.me,
    mine: s.my_attendance,
  }),
  applyPush: (st, p) => {
    switch (p.kind) {
      case 'attendance':
        return {
          ...st,
          summary: p.summary,
          mine: st.me && p.record.delegate_id === st.me.id ? p.record : st.mine,
        };
      case 'agenda':
        return { ...st, agenda: p.agenda };
      default:
        return st;
    }
  },
};
