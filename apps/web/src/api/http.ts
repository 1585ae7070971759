/** An error the gateway answered with (`{ statusCode, code, message }`), or a network failure. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  token?: string;
  body?: unknown;
  signal?: AbortSignal;
}

const isErrorBody = (value: unknown): value is { code: string; message: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { code?: unknown }).code === 'string' &&
  typeof (value as { message?: unknown }).message === 'string';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** A JSON request to the gateway on this origin; throws {@link ApiError} for anything but a 2xx. */
export async function send<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;

  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK_ERROR', 'The gateway cannot be reached.');
  }

  if (res.status === 204) return { status: 204, body: undefined as T };
  const body: unknown = await res.json().catch(() => undefined);
  // An abort while the body streamed in looks like unreadable JSON: report it as the abort it is.
  options.signal?.throwIfAborted();
  if (!res.ok) {
    if (isErrorBody(body)) throw new ApiError(res.status, body.code, body.message);
    throw new ApiError(res.status, 'HTTP_ERROR', `The gateway answered ${res.status} ${res.statusText}.`.trim());
  }
  if (body === undefined)
    throw new ApiError(res.status, 'BAD_RESPONSE', 'The gateway answered something that is not JSON.');
  return { status: res.status, body: body as T };
}

/** {@link send}, for callers that want only the body. */
export const request = <T>(path: string, options?: RequestOptions): Promise<T> =>
  send<T>(path, options).then((res) => res.body);

/** A short line for the UI, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

export const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';
