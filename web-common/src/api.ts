/**
 * Typed REST client for docs/protocol.md. Sends the Bearer token, turns every failure into an
 * `ApiError` with a stable code, and `errorText` turns that into a message in the user's language.
 */

import type * as P from './protocol';
import { t, type MessageKey } from './i18n';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's stable code (`unauthorized`, `invalid`, …) or `network` / `bad_response`. */
    readonly code: string,
    /** The server's own explanation (not translated), shown as detail. */
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

const KNOWN_CODES = [
  'invalid_json',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'same_operator',
  'too_large',
  'invalid',
  'unavailable',
  'network',
  'rate_limited',
  'bad_response',
] as const;

/** A message for the user, in the current language, for any error. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const code = (KNOWN_CODES as readonly string[]).includes(err.code) ? err.code : 'unknown';
    return t(`error.${code}` as MessageKey);
  }
  return t('error.unknown');
}

/** The server's own detail, when there is one worth showing under the translated message. */
export function errorDetail(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

export interface ApiOptions {
  /** Origin + prefix, e.g. `''` for same origin. */
  base?: string;
  token: () => string | null;
  /** Called on a 401 for a request that carried a token (expired, revoked, unpaired). */
  onUnauthorized?: (err: ApiError) => void;
  fetch?: typeof fetch;
}

export class ApiClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: ApiOptions) {
    this.base = opts.base ?? '';
    this.fetchFn = opts.fetch ?? ((...a) => globalThis.fetch(...a));
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.opts.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let code = `http_${res.status}`;
      let detail = text.slice(0, 300) || res.statusText;
      try {
        const e = JSON.parse(text) as Partial<P.ApiError>;
        if (typeof e.error === 'string') code = e.error;
        if (typeof e.message === 'string') detail = e.message;
      } catch {
        /* not JSON: keep the status */
      }
      const err = new ApiError(res.status, code, detail);
      if (res.status === 401 && token) this.opts.onUnauthorized?.(err);
      throw err;
    }
    if (res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'bad_response', text.slice(0, 300));
    }
  }

  login(req: P.LoginRequest) {
    return this.request<P.LoginResponse>('POST', '/api/login', req);
  }
  logout() {
    return this.request<void>('POST', '/api/logout');
  }
  me() {
    return this.request<P.Me>('GET', '/api/me');
  }
  congress() {
    return this.request<P.Congress>('GET', '/api/congress');
  }
  delegates() {
    return this.request<P.Delegate[]>('GET', '/api/delegates');
  }
  delegate(id: string) {
    return this.request<P.Delegate>('GET', `/api/delegates/${encodeURIComponent(id)}`);
  }
  agenda() {
    return this.request<P.Agenda>('GET', '/api/agenda');
  }
  setCurrentItem(req: P.SetCurrentItem) {
    return this.request<P.AgendaAck>('PUT', '/api/agenda/current', req);
  }
  attendance() {
    return this.request<P.AttendanceList>('GET', '/api/attendance');
  }
  attendanceSummary() {
    return this.request<P.AttendanceSummary>('GET', '/api/attendance/summary');
  }
  setAttendance(req: P.SetAttendanceRequest) {
    return this.request<P.AttendanceAck>('POST', '/api/attendance', req);
  }
  devices() {
    return this.request<P.Device[]>('GET', '/api/devices');
  }
  createPairingCode(req: P.CreatePairingCode) {
    return this.request<P.PairingCode>('POST', '/api/devices/pairing-codes', req);
  }
  pair(req: P.PairRequest) {
    return this.request<P.PairResponse>('POST', '/api/devices/pair', req);
  }
  unpair(id: string) {
    return this.request<P.Device>('DELETE', `/api/devices/${encodeURIComponent(id)}`);
  }
  journalHead() {
    return this.request<P.JournalHead>('GET', '/api/journal/head');
  }
}
