import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, describeError, request, send } from './http.js';

const respond = (status: number, body?: unknown) =>
  vi.fn<typeof fetch>().mockResolvedValue(
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    }),
  );

afterEach(() => vi.unstubAllGlobals());

describe('request', () => {
  it('sends JSON with the bearer token and returns the body', async () => {
    const fetchMock = respond(201, { ok: 1 });
    vi.stubGlobal('fetch', fetchMock);
    await expect(send('/api/x', { method: 'POST', token: 'tok', body: { a: 1 } })).resolves.toEqual({
      status: 201,
      body: { ok: 1 },
    });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/x');
    expect(init).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it("turns the gateway's error body into an ApiError with its code", async () => {
    vi.stubGlobal('fetch', respond(403, { statusCode: 403, code: 'FORBIDDEN', message: 'service tokens only' }));
    const err = await request('/api/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'service tokens only' });
    expect(describeError(err)).toBe('service tokens only');
  });

  it('reports an unreachable gateway and a body that is not JSON', async () => {
    vi.stubGlobal('fetch', vi.fn<typeof fetch>().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(request('/api/x')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    vi.stubGlobal('fetch', vi.fn<typeof fetch>().mockResolvedValue(new Response('<html>', { status: 200 })));
    await expect(request('/api/x')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    vi.stubGlobal('fetch', vi.fn<typeof fetch>().mockResolvedValue(new Response('oops', { status: 502 })));
    await expect(request('/api/x')).rejects.toMatchObject({ status: 502, code: 'HTTP_ERROR' });
  });

  it('answers 204 with no body', async () => {
    vi.stubGlobal('fetch', respond(204));
    await expect(send('/api/x', { method: 'DELETE' })).resolves.toEqual({ status: 204, body: undefined });
  });
});
