/** The console's live state: what the websocket snapshot gives, plus each delegate's record. */

import type { Agenda, AttendanceRecord, AttendanceSummary, Congress, Reducer } from '@congress/web-common';

export interface ConsoleState {
  congress: Congress;
  agenda: Agenda;
  summary: AttendanceSummary;
  /** Latest record per delegate (from `GET /api/attendance`, then pushes). */
  records: Record<string, AttendanceRecord>;
}

/** Keeps the newer record per delegate (by time; on a tie the incoming one). */
export function mergeRecords(
  base: Record<string, AttendanceRecord>,
  incoming: AttendanceRecord[],
): Record<string, AttendanceRecord> {
  const out = { ...base };
  for (const r of incoming) {
    const old = out[r.delegate_id];
    if (!old || r.at >= old.at) out[r.delegate_id] = r;
  }
  return out;
}

/**
 * A snapshot has no per-delegate records: keep the previous ones on screen until the app
 * refetches them (it does on every snapshot).
 */
export function consoleReducer(prev: () => ConsoleState | null): Reducer<ConsoleState> {
  return {
    fromSnapshot: (s) => ({
      congress: s.congress,
      agenda: s.agenda,
      summary: s.attendance,
      records: prev()?.records ?? {},
    }),
    applyPush: (state, push) => {
      switch (push.kind) {
        case 'attendance':
          return { ...state, summary: push.summary, records: mergeRecords(state.records, [push.record]) };
        case 'agenda':
          return { ...state, agenda: push.agenda };
        default:
          return state;
      }
    },
  };
}
