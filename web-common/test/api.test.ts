import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, errorText } from '../src/api';
import { setLanguage } from '../src/i18n';

function fakeFetch(status: number, body: string, seen: { url?: string; init?: RequestInit } = {}): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.url = url;
    seen.init = init;
    return new Response(status === 204 ? null : body, { status });
  }) as unknown as typeof fetch;
}

afterEach(() => setLanguage('vi', { storage: null, target: null }));

describe('ApiClient', () => {
  it('sends the Bearer token and JSON body', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new ApiClient({ token: () => 'abc', fetch: fakeFetch(200, '{"token":"t"}', seen) });
    await api.login({ username: 'admin', password: 'pw' });
    expect(seen.url).toBe('/api/login');
    expect(seen.init!.method).toBe('POST');
    expect((seen.init!.headers as Record<string, string>).Authorization).toBe('Bearer abc');
    expect(seen.init!.body).toBe('{"username":"admin","password":"pw"}');
  });

  it('turns an ApiError body into an ApiError with code and detail', async () => {
    let unauthorized = 0;
    const api = new ApiClient({
      token: () => 'old',
      fetch: fakeFetch(401, '{"error":"unauthorized","message":"token expired"}'),
      onUnauthorized: () => unauthorized++,
    });
    const err = await api.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', detail: 'token expired' });
    expect(unauthorized).toBe(1);
    expect(errorText(err)).toContain('đăng nhập lại');
    setLanguage('en', { storage: null, target: null });
    expect(errorText(err)).toContain('sign in again');
  });

  it('reports an unreachable server as a network error', async () => {
    const api = new ApiClient({
      token: () => null,
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch,
    });
    const err = await api.congress().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network' });
    expect(errorText(err)).toBe('Không kết nối được với máy chủ. Kiểm tra mạng rồi thử lại.');
  });

  it('keeps the status when the error body is not JSON', async () => {
    const api = new ApiClient({ token: () => null, fetch: fakeFetch(502, 'Bad Gateway') });
    const err = await api.congress().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: 'http_502' });
    expect(errorText(err)).toBe('Đã xảy ra lỗi không xác định.');
  });

  it('returns undefined for 204', async () => {
    const api = new ApiClient({ token: () => 't', fetch: fakeFetch(204, '') });
    expect(await api.logout()).toBeUndefined();
  });
});
