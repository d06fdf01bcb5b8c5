/**
 * Websocket client for docs/protocol.md: `hello` with the token and the last applied `seq`,
 * then `snapshot` or missed pushes + `resumed`, then live pushes. Pushes with `seq` at or below
 * the last applied one are ignored (no duplicates); the state and its `seq` are kept together in
 * storage so that a reload resumes without loss. Reconnects with exponential backoff (capped at
 * 5 s) and exposes the connection state so the UI can show an offline banner.
 */

import type { ClientKind, ClientMsg, JournalHead, Push, ServerMsg, Snapshot } from './protocol';
import { read, write, type KV } from './storage';

export const PROTOCOL_VERSION = 1;

/** A kiosk's answer to one camera frame. */
export type FaceResultMsg = Extract<ServerMsg, { type: 'face_result' }>;

/** `connecting`: socket opening or hello sent; `online`: state is current; `offline`: waiting to
 * reconnect; `stopped`: `stop()` was called or the server refused the token for good. */
export type ConnState = 'connecting' | 'online' | 'offline' | 'stopped';

/** The part of the browser `WebSocket` this client uses (so tests can pass a fake). */
export interface SocketLike {
  send(data: string | ArrayBuffer | Blob): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** How an app turns protocol messages into its own (JSON-serialisable) state. */
export interface Reducer<S> {
  fromSnapshot(snapshot: Snapshot, seq: number): S;
  applyPush(state: S, push: Push, seq: number): S;
}

export interface WsClientOptions<S> {
  /** Absolute `ws://…/ws/console` etc.; see `wsUrl`. */
  url: string;
  token: () => string | null;
  reducer: Reducer<S>;
  /** Where `{seq, state}` is kept across reloads; null keeps it in memory only. */
  storage?: KV | null;
  storageKey?: string;
  createSocket?: (url: string) => SocketLike;
  timers?: Timers;
  /** 0 ≤ x < 1, for backoff jitter. */
  random?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

export type WsEvent<S> =
  | {
      type: 'state';
      state: S;
      seq: number;
      cause: 'snapshot' | 'push' | 'restored';
      push?: Push;
      /** On a snapshot: the journal head it was taken at (kept as a witness, see `witness`). */
      journal?: JournalHead;
    }
  | { type: 'conn'; conn: ConnState }
  | { type: 'welcome'; kind: ClientKind; headSeq: number }
  | { type: 'face'; result: FaceResultMsg }
  | { type: 'error'; error: string; message: string; fatal: boolean }
  /** Any other server message (ballot acks and refusals, live vote turnout). */
  | { type: 'message'; msg: ServerMsg };

interface Persisted<S> {
  seq: number;
  state: S;
}

/** Codes of a fatal error after which reconnecting cannot help: the token is no good. */
const AUTH_ERRORS = new Set(['unauthorized', 'forbidden']);

export function wsUrl(path: string, loc: { protocol: string; host: string } = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}`;
}

export class WsClient<S> {
  state: S | null = null;
  lastSeq: number | null = null;
  conn: ConnState = 'offline';
  /** Reconnect attempts since the state was last current. */
  attempt = 0;

  private socket: SocketLike | null = null;
  private stopped = true;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  private persistTimer: unknown = null;
  private nonce = 0;
  private readonly listeners = new Set<(ev: WsEvent<S>) => void>();
  private readonly timers: Timers;
  private readonly o: Required<Omit<WsClientOptions<S>, 'storage'>> & { storage: KV | null };

  constructor(opts: WsClientOptions<S>) {
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
    };
    this.o = {
      storage: opts.storage ?? null,
      storageKey: opts.storageKey ?? `congress.ws:${opts.url}`,
      createSocket: opts.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      timers: this.timers,
      random: opts.random ?? Math.random,
      initialBackoffMs: opts.initialBackoffMs ?? 500,
      maxBackoffMs: opts.maxBackoffMs ?? 5000,
      pingIntervalMs: opts.pingIntervalMs ?? 15000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 10000,
      url: opts.url,
      token: opts.token,
      reducer: opts.reducer,
    };
    this.restore();
  }

  subscribe(fn: (ev: WsEvent<S>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Opens the connection (and keeps it open until `stop`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes for good (logout, unpair). Keeps the saved state unless `forget` is set. */
  stop(forget = false): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      this.detach(s);
      try {
        s.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    if (forget) {
      this.state = null;
      this.lastSeq = null;
      write(this.o.storage, this.o.storageKey, null);
    } else {
      this.persistNow();
    }
    this.setConn('stopped');
  }

  /** Reconnect now instead of waiting out the backoff (e.g. on the browser's `online` event). */
  nudge(): void {
    if (this.stopped || this.conn !== 'offline') return;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  /** The delay before reconnect attempt number `attempt` (0-based): doubling, capped, jittered. */
  backoffMs(attempt: number): number {
    const base = Math.min(this.o.maxBackoffMs, this.o.initialBackoffMs * 2 ** attempt);
    return Math.round(base * (0.5 + 0.5 * this.o.random()));
  }

  private emit(ev: WsEvent<S>): void {
    for (const l of this.listeners) l(ev);
  }

  private setConn(conn: ConnState): void {
    if (this.conn === conn) return;
    this.conn = conn;
    this.emit({ type: 'conn', conn });
  }

  private restore(): void {
    const raw = read(this.o.storage, this.o.storageKey);
    if (!raw) return;
    try {
      const p = JSON.parse(raw) as Persisted<S>;
      if (typeof p.seq === 'number' && p.state != null) {
        this.state = p.state;
        this.lastSeq = p.seq;
      }
    } catch {
      write(this.o.storage, this.o.storageKey, null);
    }
  }

  /** Emits the restored state, if any, so the UI can draw it while connecting. */
  emitRestored(): void {
    if (this.state !== null && this.lastSeq !== null)
      this.emit({ type: 'state', state: this.state, seq: this.lastSeq, cause: 'restored' });
  }

  private persistNow(): void {
    if (this.persistTimer !== null) this.timers.clearTimeout(this.persistTimer);
    this.persistTimer = null;
    if (this.state === null || this.lastSeq === null) return;
    const p: Persisted<S> = { seq: this.lastSeq, state: this.state };
    write(this.o.storage, this.o.storageKey, JSON.stringify(p));
  }

  /** Saves soon: a burst of pushes is written once. State and seq are saved together. */
  private persistSoon(): void {
    if (this.persistTimer !== null || !this.o.storage) return;
    this.persistTimer = this.timers.setTimeout(() => {
      this.persistTimer = null;
      this.persistNow();
    }, 250);
  }

  private connect(): void {
    this.reconnectTimer = null;
    const token = this.o.token();
    if (!token) {
      this.emit({ type: 'error', error: 'unauthorized', message: 'no token', fatal: true });
      this.stop();
      return;
    }
    this.setConn('connecting');
    let s: SocketLike;
    try {
      s = this.o.createSocket(this.o.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = s;
    s.onopen = () => {
      const hello: ClientMsg = {
        type: 'hello',
        token,
        resume_from: this.state !== null ? this.lastSeq : null,
        protocol: PROTOCOL_VERSION,
      };
      s.send(JSON.stringify(hello));
    };
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: ServerMsg;
      try {
        msg = JSON.parse(ev.data) as ServerMsg;
      } catch {
        return;
      }
      this.handle(msg);
    };
    s.onerror = () => {
      /* a close follows */
    };
    s.onclose = () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.detach(s);
      this.scheduleReconnect();
    };
  }

  private detach(s: SocketLike): void {
    s.onopen = null;
    s.onmessage = null;
    s.onclose = null;
    s.onerror = null;
  }

  private scheduleReconnect(): void {
    this.clearTimers();
    if (this.stopped) return;
    this.setConn('offline');
    const delay = this.backoffMs(this.attempt);
    this.attempt += 1;
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    for (const id of [this.reconnectTimer, this.pingTimer, this.pongTimer]) {
      if (id !== null) this.timers.clearTimeout(id);
    }
    this.reconnectTimer = this.pingTimer = this.pongTimer = null;
  }

  private live(): void {
    this.attempt = 0;
    this.setConn('online');
    this.schedulePing();
  }

  private schedulePing(): void {
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      const s = this.socket;
      if (!s) return;
      this.nonce = (this.nonce + 1) % 0xffffffff;
      const ping: ClientMsg = { type: 'ping', nonce: this.nonce };
      try {
        s.send(JSON.stringify(ping));
      } catch {
        /* close follows */
      }
      // No pong in time: the link is dead even if the socket has not noticed.
      this.pongTimer = this.timers.setTimeout(() => {
        this.pongTimer = null;
        this.dropSocket();
      }, this.o.pongTimeoutMs);
    }, this.o.pingIntervalMs);
  }

  private dropSocket(): void {
    const s = this.socket;
    if (!s) return;
    this.socket = null;
    this.detach(s);
    try {
      s.close(4000, 'timeout');
    } catch {
      /* ignore */
    }
    this.scheduleReconnect();
  }

  /** Kiosks: sends a camera frame (binary message). False when not online. */
  sendBinary(data: ArrayBuffer | Blob): boolean {
    if (this.conn !== 'online' || !this.socket) return false;
    this.socket.send(data);
    return true;
  }

  /** Sends a message if the connection is live; false when offline (the caller keeps it). */
  send(msg: ClientMsg): boolean {
    const s = this.socket;
    if (!s || this.conn !== 'online') return false;
    try {
      s.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  /** Handles one server message; public for tests. */
  handle(msg: ServerMsg): void {
    switch (msg.type) {
      case 'face_result':
        this.emit({ type: 'face', result: msg });
        break;
      case 'welcome':
        this.emit({ type: 'welcome', kind: msg.kind, headSeq: msg.head_seq });
        break;
      case 'snapshot': {
        this.state = this.o.reducer.fromSnapshot(msg.snapshot, msg.seq);
        this.lastSeq = msg.seq;
        this.persistNow();
        this.emit({ type: 'state', state: this.state, seq: msg.seq, cause: 'snapshot', journal: msg.snapshot.journal });
        this.live();
        break;
      }
      case 'push': {
        if (this.state === null) break; // no base to apply to; a snapshot will come
        if (this.lastSeq !== null && msg.seq <= this.lastSeq) break; // already applied
        this.state = this.o.reducer.applyPush(this.state, msg.push, msg.seq);
        this.lastSeq = msg.seq;
        this.persistSoon();
        this.emit({ type: 'state', state: this.state, seq: msg.seq, cause: 'push', push: msg.push });
        break;
      }
      case 'resumed':
        // Everything up to `to` that this client may see has been sent.
        if (this.lastSeq === null || msg.to > this.lastSeq) this.lastSeq = msg.to;
        this.persistNow();
        this.live();
        break;
      case 'pong':
        if (this.pongTimer !== null) this.timers.clearTimeout(this.pongTimer);
        this.pongTimer = null;
        if (this.conn === 'online') this.schedulePing();
        break;
      case 'error':
        // Refused token: stop first (no reconnect, state forgotten), then tell the app, which
        // typically replaces the whole view (login or pairing screen).
        if (msg.fatal && AUTH_ERRORS.has(msg.error)) this.stop(true);
        // other fatal errors: the server closes the socket and we reconnect with backoff
        this.emit({ type: 'error', error: msg.error, message: msg.message, fatal: msg.fatal });
        break;
      default:
        this.emit({ type: 'message', msg });
        break;
    }
  }
}
