/** The tablet's live state: the congress, the agenda, and its own delegate's attendance. */

import type { Agenda, AttendanceRecord, AttendanceSummary, Congress, Delegate, MeetingView, Notice, Reducer, VoteInfo } from '@congress/web-common';
import { applyNoticePush } from './notices-state';

export interface TabletState {
  congress: Congress;
  agenda: Agenda;
  summary: AttendanceSummary;
  me: Delegate | null;
  mine: AttendanceRecord | null;
  votes: VoteInfo[];
  /** Notices addressed to this delegate, oldest first, and the ids read (see notices.ts). */
  notices?: Notice[];
  noticesRead?: number[];
  /** Speakers and agenda control; absent in a state persisted by an older version. */
  meeting?: MeetingView;
}

export const tabletReducer: Reducer<TabletState> = {
  fromSnapshot: (s) => ({
    congress: s.congress,
    agenda: s.agenda,
    summary: s.attendance,
    me: s.me,
    mine: s.my_attendance,
    votes: s.votes ?? [],
    notices: s.notices ?? [],
    noticesRead: s.notices_read ?? [],
    meeting: s.meeting,
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
      case 'meeting':
        return { ...st, meeting: p.meeting };
      case 'vote': {
        const votes = (st.votes ?? []).filter((v) => v.spec.id !== p.vote.spec.id);
        // The push is the operators' view: keep what this tablet knows of its own ballot.
        const old = (st.votes ?? []).find((v) => v.spec.id === p.vote.spec.id);
        votes.push({ ...p.vote, voted: old?.voted ?? false, my_receipt: old?.my_receipt ?? null });
        votes.sort((a, b) => a.spec.id - b.spec.id);
        return { ...st, votes };
      }
      case 'notice':
      case 'notice_read':
        return applyNoticePush(st, p);
      default:
        return st;
    }
  },
};
