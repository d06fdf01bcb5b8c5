/** The operator's session, kept in this tab's sessionStorage (gone when the tab closes). */

import { read, session, write, type LoginResponse } from '@congress/web-common';

export type OperatorSession = Pick<LoginResponse, 'token' | 'operator' | 'expires_at'>;

const KEY = 'congress.operator';

export function loadSession(now = Date.now()): OperatorSession | null {
  const raw = read(session(), KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as OperatorSession;
    if (typeof s.token !== 'string' || !s.operator) return null;
    if (typeof s.expires_at === 'number' && s.expires_at <= now) {
      clearSession();
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: OperatorSession): void {
  write(session(), KEY, JSON.stringify(s));
}

export function clearSession(): void {
  write(session(), KEY, null);
  write(session(), 'congress.console.ws', null);
}
