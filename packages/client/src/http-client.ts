import { type RouteDef, type RouteName, routes } from '@realtime/contracts';
import type { FetchLike, GetToken, HttpClient, HttpErrorBody, HttpResult } from './http-types.js';

export interface HttpClientOptions {
  /** The gateway's base URL, e.g. `https://gateway.example.com` (`''` for the page's own origin). */
  url: string;
  /** Where bearer tokens come from; routes behind a token fail with `TOKEN_MISSING` without it (or a per-call `token`). */
  getToken?: GetToken;
  fetch?: FetchLike;
  /** Sees every declared answer: how the realtime client keeps its unread count from HTTP pages. */
  onAnswer?: (route: RouteName, status: number, body: unknown) => void;
}

type AnyResult = HttpResult<RouteDef>;
type Request = {
  params?: object;
  query?: object;
  headers?: object;
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
};

const failure = (statusCode: number, code: string, message: string, issues?: HttpErrorBody['issues']): AnyResult => ({
  ok: false,
  status: statusCode,
  error: issues ? { statusCode, code, message, issues } : { statusCode, code, message },
});

function buildPath(route: RouteDef, params: object | undefined): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = (params as Record<string, unknown> | undefined)?.[name];
    if (value === undefined || value === null) throw new TypeError(`${route.path}: missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

function buildQuery(query: object | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const isErrorBody = (v: unknown): v is HttpErrorBody =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { code?: unknown }).code === 'string' &&
  typeof (v as { message?: unknown }).message === 'string';

const isAbort = (err: unknown) => typeof err === 'object' && err !== null && (err as Error).name === 'AbortError';

/** A typed client of every HTTP route of the contract, generated from `routes`: nothing here names a path. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.url.replace(/\/+$/, '');
  const fetchFn: FetchLike | undefined = options.fetch ?? (globalThis.fetch as FetchLike | undefined)?.bind(globalThis);

  async function send(name: RouteName, route: RouteDef, request: Request): Promise<AnyResult> {
    if (!fetchFn) return failure(0, 'NETWORK_ERROR', 'no fetch: pass one in the options');
    let url: string;
    try {
      url = base + buildPath(route, request.params) + buildQuery(request.query);
    } catch (err) {
      return failure(0, 'VALIDATION_ERROR', (err as Error).message);
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(request.headers ?? {}))
      if (value !== undefined && value !== null) headers[key.toLowerCase()] = String(value);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const needsToken = route.access !== 'public';

    const attempt = async (reason: 'http' | 'rejected'): Promise<AnyResult | 'expired'> => {
      let token = request.token;
      if (token === undefined && needsToken && options.getToken) {
        try {
          token = await options.getToken({ reason });
        } catch (err) {
          return failure(0, 'TOKEN_MISSING', `getToken failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const res = await fetchFn(url, {
        method: route.method,
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const text = await res.text();
      const declared = route.responses[res.status];
      const json = (res.headers.get('content-type') ?? 'application/json').includes('json');
      let parsed: unknown = undefined;
      if (text && json) {
        try {
          parsed = JSON.parse(text);
        } catch {
          if (declared) return failure(res.status, 'BAD_RESPONSE', 'the gateway answered something that is not JSON');
        }
      } else if (text) parsed = text;
      if (declared) {
        const value = declared.schema ? parsed : undefined;
        options.onAnswer?.(name, res.status, value);
        return { ok: res.status >= 200 && res.status < 300, status: res.status, body: value } as AnyResult;
      }
      if (isErrorBody(parsed)) {
        if (res.status === 401 && parsed.code === 'TOKEN_EXPIRED' && reason === 'http' && !request.token && needsToken)
          return 'expired';
        return failure(res.status, parsed.code, parsed.message, parsed.issues);
      }
      return failure(res.status, 'BAD_RESPONSE', `the gateway answered ${res.status} without an error body`);
    };

    try {
      const first = await attempt('http');
      // A token that expired on the way (a sleeping tab): one more try with a fresh one.
      const result = first === 'expired' ? await attempt('rejected') : first;
      return result === 'expired' ? failure(401, 'TOKEN_EXPIRED', 'the token expired') : result;
    } catch (err) {
      if (isAbort(err)) return failure(0, 'ABORTED', 'the request was aborted');
      return failure(0, 'NETWORK_ERROR', err instanceof Error ? err.message : 'the gateway cannot be reached');
    }
  }

  const client: Record<string, (request?: Request) => Promise<AnyResult>> = {};
  for (const [name, route] of Object.entries(routes) as [RouteName, RouteDef][])
    client[name] = (request = {}) => send(name, route, request);
  return client as unknown as HttpClient;
}
