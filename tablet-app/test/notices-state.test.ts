import { describe, expect, it } from 'vitest';
import type { Notice } from '@congress/web-common';
import { applyNoticePush } from '../src/notices-state';

const n = (id: number, text = `n${id}`): Notice => ({ id, text, audience: { kind: 'all' }, at: id * 1000, by: 'thuky' });

describe('notice pushes', () => {
  it('keeps notices sorted, without duplicates, text verbatim', () => {
    let st: { notices?: Notice[]; noticesRead?: number[] } = {};
    st = applyNoticePush(st, { kind: 'notice', notice: n(2, '<img src=x onerror=alert(1)>') });
    st = applyNoticePush(st, { kind: 'notice', notice: n(1) });
    st = applyNoticePush(st, { kind: 'notice', notice: n(2, '<img src=x onerror=alert(1)>') });
    expect(st.notices?.map((x) => x.id)).toEqual([1, 2]);
    expect(st.notices?.[1]?.text).toBe('<img src=x onerror=alert(1)>');
  });

  it('records each receipt once', () => {
    let st: { notices?: Notice[]; noticesRead?: number[] } = { noticesRead: [3] };
    const receipt = (id: number) => ({ kind: 'notice_read' as const, receipt: { notice_id: id, delegate_id: 'D1', at: 1 } });
    st = applyNoticePush(st, receipt(1));
    st = applyNoticePush(st, receipt(3));
    expect(st.noticesRead).toEqual([1, 3]);
  });
});
