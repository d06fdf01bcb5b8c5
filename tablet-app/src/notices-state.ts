/** How notice pushes change the tablet's state (kept apart so `state.ts` stays small). */

import type { Notice, Push } from '@congress/web-common';

interface WithNotices {
  notices?: Notice[];
  noticesRead?: number[];
}

export function applyNoticePush<S extends WithNotices>(st: S, p: Push): S {
  if (p.kind === 'notice') {
    const notices = (st.notices ?? []).filter((n) => n.id !== p.notice.id);
    notices.push(p.notice);
    notices.sort((a, b) => a.id - b.id);
    return { ...st, notices };
  }
  if (p.kind === 'notice_read') {
    const read = new Set(st.noticesRead ?? []);
    read.add(p.receipt.notice_id);
    return { ...st, noticesRead: [...read].sort((a, b) => a - b) };
  }
  return st;
}
