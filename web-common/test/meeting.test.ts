import { afterEach, describe, expect, it, vi } from 'vitest';
import { fmtClock, meetingErrorText, noteServerTime, secondsLeft, serverNow } from '../src/meeting';
import { ApiError } from '../src/api';
import { setLanguage } from '../src/i18n';
import type { MeetingView, Speaking } from '../src/protocol';

function view(server_now: number): MeetingView {
  return { items: [], current: null, queues: [], speaking: null, people: {}, scene: { scene: 'agenda' }, default_limit_s: 180, server_now };
}

const sp = (started_at: number, limit_s: number): Speaking => ({ request_id: 1, item_id: 'A1', delegate_id: 'D1', kind: 'normal', started_at, limit_s });

describe('speaking countdown', () => {
  afterEach(() => vi.useRealTimers());

  it('formats m:ss and h:mm:ss, never negative', () => {
    expect(fmtClock(0)).toBe('0:00');
    expect(fmtClock(89.9)).toBe('1:29');
    expect(fmtClock(3725)).toBe('1:02:05');
    expect(fmtClock(-5)).toBe('0:00');
  });

  it('counts from started_at + limit on the server clock, whatever the local clock says', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    // The server is 30 s ahead of this tablet.
    noteServerTime(view(1_030_000));
    expect(serverNow()).toBe(1_030_000);
    expect(secondsLeft(sp(1_030_000, 90))).toBe(90);
    vi.setSystemTime(1_010_000);
    expect(secondsLeft(sp(1_030_000, 90))).toBe(80);
    vi.setSystemTime(1_100_000);
    expect(secondsLeft(sp(1_030_000, 90))).toBe(-10);
  });
});

describe('refusals', () => {
  it('translates the meeting codes and falls back for the others', () => {
    setLanguage('en', { storage: null, target: null });
    expect(meetingErrorText('not_present')).toMatch(/not checked in/);
    expect(meetingErrorText(new ApiError(409, 'vote_open', 'vote 3 is still open'))).toMatch(/close the vote first/);
    expect(meetingErrorText(new ApiError(403, 'forbidden', ''))).not.toBe('');
    setLanguage('vi', { storage: null, target: null });
    expect(meetingErrorText('floor_taken')).toMatch(/Đang có người phát biểu/);
  });
});
