import { beforeEach, describe, expect, it } from 'vitest';
import { WsClient, type Reducer, type SocketLike, type Timers, type WsEvent } from '../src/ws';
import { MemoryKV } from '../src/storage';
import type { ClientMsg, Push, ServerMsg, Snapshot } from '../src/protocol';

// ---- fakes

class FakeSocket implements SocketLike {
  sent: ClientMsg[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientMsg);
  }
  close() {
    this.closed = true;
  }
  // server side
  open() {
    this.onopen?.({});
  }
  recv(msg: ServerMsg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
}

class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(id: unknown) {
    this.pending.delete(id as number);
  }
  /** Advances time, running timers due on the way, in order. */
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= end && (!first || e[1].at < first[1].at)) first = e;
      if (!first) break;
      this.pending.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
    }
    this.now = end;
  }
  nextDelay(): number | null {
    let min: number | null = null;
    for (const e of this.pending.values()) if (min === null || e.at - this.now < min) min = e.at - this.now;
    return min;
  }
}

// ---- a tiny app state: present count, current item, and every applied seq

interface S {
  present: number;
  current: string | null;
  applied: number[];
}

const reducer: Reducer<S> = {
  fromSnapshot: (snap, seq) => ({ present: snap.attendance.present, current: snap.agenda.current, applied: [seq] }),
  applyPush: (s, p, seq) => ({
    present: p.kind === 'attendance' ? p.summary.present : s.present,
    current: p.kind === 'agenda' ? p.agenda.current : s.current,
    applied: [...s.applied, seq],
  }),
};

function snapshot(present: number, current: string | null = null): Snapshot {
  const quorum = { rule: { numerator: 2, denominator: 3 }, present, convened: 450, required: 300, reached: present >= 300 };
  return {
    congress: { name: 'C', venue: 'V', starts_on: '2026-12-01', ends_on: '2026-12-03', convened: 450, quorum: quorum.rule },
    agenda: { items: [], current },
    attendance: { present, left: 0, absent: 450 - present, listed: 450, quorum },
    me: null,
    my_attendance: null,
    journal: { seq: 0, hash: '' },
    votes: [],
    notices: [],
    notices_read: [],
    meeting: { items: [], current, queues: [], speaking: null, people: {}, scene: { scene: 'agenda' }, default_limit_s: 180, server_now: 0 },
    procedures: { bodies: [], elections: [], signoffs: [], credentials_vote: null, credentials_adopted: null },
  };
}

function attendancePush(present: number): Push {
  const quorum = { rule: { numerator: 2, denominator: 3 }, present, convened: 450, required: 300, reached: present >= 300 };
  return {
    kind: 'attendance',
    record: { delegate_id: `D${present}`, status: 'present', at: present, source: { kind: 'operator', username: 'a' }, reason: 'r' },
    summary: { present, left: 0, absent: 450 - present, listed: 450, quorum },
  };
}

let sockets: FakeSocket[];
let timers: FakeTimers;
let storage: MemoryKV;
let token: string | null;

function client(extra: { storage?: MemoryKV | null } = {}) {
  const c = new WsClient<S>({
    url: 'ws://h/ws/console',
    token: () => token,
    reducer,
    storage: extra.storage === undefined ? storage : extra.storage,
    storageKey: 'k',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers,
    random: () => 0.999999, // no jitter: delays are the full backoff
  });
  const events: WsEvent<S>[] = [];
  c.subscribe((e) => events.push(e));
  return { c, events };
}

const last = () => sockets[sockets.length - 1]!;
const welcome: ServerMsg = { type: 'welcome', kind: 'console', head_seq: 0, protocol: 1 };

beforeEach(() => {
  sockets = [];
  timers = new FakeTimers();
  storage = new MemoryKV();
  token = 'tok';
});

describe('WsClient', () => {
  it('says hello without resume on first connect, applies the snapshot and goes online', () => {
    const { c } = client();
    c.start();
    expect(c.conn).toBe('connecting');
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', token: 'tok', resume_from: null, protocol: 1 });
    last().recv(welcome);
    expect(c.conn).toBe('connecting');
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    expect(c.conn).toBe('online');
    expect(c.state).toEqual({ present: 5, current: null, applied: [10] });
    expect(c.lastSeq).toBe(10);
  });

  it('applies pushes in order and ignores any with seq at or below the last applied', () => {
    const { c, events } = client();
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    last().recv({ type: 'push', seq: 11, push: attendancePush(6) });
    last().recv({ type: 'push', seq: 11, push: attendancePush(99) }); // duplicate
    last().recv({ type: 'push', seq: 9, push: attendancePush(98) }); // older than the snapshot
    last().recv({ type: 'push', seq: 14, push: attendancePush(7) }); // gap: allowed
    expect(c.state!.applied).toEqual([10, 11, 14]);
    expect(c.state!.present).toBe(7);
    expect(c.lastSeq).toBe(14);
    expect(events.filter((e) => e.type === 'state').length).toBe(3);
  });

  it('reconnects after a drop, resumes from the last seq, and applies each push once', () => {
    const { c } = client();
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    last().recv({ type: 'push', seq: 11, push: attendancePush(6) });
    last().drop();
    expect(c.conn).toBe('offline');
    expect(sockets.length).toBe(1);
    timers.advance(500);
    expect(sockets.length).toBe(2);
    last().open();
    expect(last().sent[0]).toEqual({ type: 'hello', token: 'tok', resume_from: 11, protocol: 1 });
    last().recv(welcome);
    // the server replays from after 11; a duplicate of 11 must not be applied twice
    last().recv({ type: 'push', seq: 11, push: attendancePush(6) });
    last().recv({ type: 'push', seq: 12, push: attendancePush(7) });
    last().recv({ type: 'push', seq: 13, push: { kind: 'agenda', agenda: { items: [], current: 'A2' } } });
    expect(c.conn).toBe('connecting');
    last().recv({ type: 'resumed', from: 11, to: 15 });
    expect(c.conn).toBe('online');
    expect(c.state).toEqual({ present: 7, current: 'A2', applied: [10, 11, 12, 13] });
    expect(c.lastSeq).toBe(15); // pushes 14-15 were not for this client
    last().recv({ type: 'push', seq: 15, push: attendancePush(100) });
    expect(c.state!.present).toBe(7);
  });

  it('takes a fresh snapshot when the server cannot resume', () => {
    const { c } = client();
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    last().drop();
    timers.advance(500);
    last().open();
    expect(last().sent[0]).toMatchObject({ resume_from: 10 });
    last().recv({ type: 'snapshot', seq: 5000, snapshot: snapshot(320, 'A3') });
    expect(c.state).toEqual({ present: 320, current: 'A3', applied: [5000] });
    expect(c.lastSeq).toBe(5000);
    expect(c.conn).toBe('online');
  });

  it('backs off exponentially up to 5 s and resets once online', () => {
    const { c } = client();
    c.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      delays.push(timers.nextDelay()!);
      timers.advance(delays[i]!);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    last().open();
    last().recv({ type: 'snapshot', seq: 1, snapshot: snapshot(0) });
    expect(c.attempt).toBe(0);
    last().drop();
    expect(timers.nextDelay()).toBe(500);
  });

  it('jitters the backoff between half and all of the delay', () => {
    const c = new WsClient<S>({ url: 'ws://h', token: () => 't', reducer, random: () => 0 });
    expect(c.backoffMs(0)).toBe(250);
    expect(c.backoffMs(10)).toBe(2500);
  });

  it('keeps state and seq together in storage, so a reload resumes', () => {
    const first = client();
    first.c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    last().recv({ type: 'push', seq: 12, push: attendancePush(6) });
    timers.advance(300); // debounced save
    first.c.stop();

    const second = client();
    expect(second.c.lastSeq).toBe(12);
    expect(second.c.state!.present).toBe(6);
    second.c.emitRestored();
    expect(second.events[0]).toMatchObject({ type: 'state', cause: 'restored', seq: 12 });
    second.c.start();
    last().open();
    expect(last().sent[0]).toMatchObject({ type: 'hello', resume_from: 12 });
  });

  it('without a saved state it asks for a snapshot even if a seq was stored', () => {
    storage.setItem('k', JSON.stringify({ seq: 7 }));
    const { c } = client();
    c.start();
    last().open();
    expect(last().sent[0]).toMatchObject({ resume_from: null });
  });

  it('ignores pushes before it has any state', () => {
    const { c } = client({ storage: null });
    c.start();
    last().open();
    last().recv({ type: 'push', seq: 3, push: attendancePush(1) });
    expect(c.state).toBeNull();
    expect(c.lastSeq).toBeNull();
  });

  it('stops for good on a fatal unauthorized error and forgets the state', () => {
    const { c, events } = client();
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 10, snapshot: snapshot(5) });
    last().recv({ type: 'error', error: 'unauthorized', message: 'revoked', fatal: true });
    last().drop();
    expect(c.conn).toBe('stopped');
    expect(events).toContainEqual({ type: 'error', error: 'unauthorized', message: 'revoked', fatal: true });
    timers.advance(60_000);
    expect(sockets.length).toBe(1);
    expect(storage.getItem('k')).toBeNull();
  });

  it('is already stopped when it reports a refused token, so the app can replace its view', () => {
    const { c } = client();
    const order: string[] = [];
    c.subscribe((e) => order.push(e.type === 'conn' ? `conn:${e.conn}` : e.type));
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 1, snapshot: snapshot(0) });
    order.length = 0;
    last().recv({ type: 'error', error: 'unauthorized', message: 'revoked', fatal: true });
    expect(order).toEqual(['conn:stopped', 'error']);
  });

  it('keeps reconnecting after other fatal errors', () => {
    const { c } = client();
    c.start();
    last().open();
    last().recv({ type: 'error', error: 'unavailable', message: 'shutting down', fatal: true });
    last().drop();
    expect(c.conn).toBe('offline');
    timers.advance(500);
    expect(sockets.length).toBe(2);
  });

  it('pings while online and reconnects when no pong comes back', () => {
    const { c } = client();
    c.start();
    last().open();
    last().recv({ type: 'snapshot', seq: 1, snapshot: snapshot(0) });
    timers.advance(15_000);
    expect(last().sent[1]).toMatchObject({ type: 'ping' });
    const nonce = (last().sent[1] as { nonce: number }).nonce;
    last().recv({ type: 'pong', nonce });
    timers.advance(15_000);
    expect(last().sent[2]).toMatchObject({ type: 'ping' });
    timers.advance(10_000); // no pong
    expect(sockets[0]!.closed).toBe(true);
    expect(c.conn).toBe('offline');
    timers.advance(500);
    expect(sockets.length).toBe(2);
  });

  it('nudge reconnects at once instead of waiting out the backoff', () => {
    const { c } = client();
    c.start();
    for (let i = 0; i < 4; i++) {
      last().drop();
      timers.advance(timers.nextDelay()!);
    }
    last().drop();
    expect(timers.nextDelay()).toBe(5000);
    c.nudge();
    expect(sockets.length).toBe(6);
    expect(c.conn).toBe('connecting');
  });

  it('does not connect without a token', () => {
    token = null;
    const { c, events } = client();
    c.start();
    expect(sockets.length).toBe(0);
    expect(c.conn).toBe('stopped');
    expect(events.some((e) => e.type === 'error' && e.error === 'unauthorized')).toBe(true);
  });
});
