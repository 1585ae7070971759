import type { HttpErrorBody } from './http-types.js';

/** Why Web Push could not be turned on or off on this device. */
export type PushErrorCode =
  /** No service workers, `PushManager` or `Notification` here (an old browser, iOS outside an installed app, plain http). */
  | 'UNSUPPORTED'
  /** The user or the browser refused notifications, or the prompt was dismissed. */
  | 'PERMISSION_DENIED'
  /** The gateway has no Web Push (404 on its VAPID key). */
  | 'NOT_CONFIGURED'
  /** The gateway refused the subscription: its push service is not one it allows (400). */
  | 'ENDPOINT_REFUSED'
  /** The browser could not subscribe at its push service (none in headless browsers, offline, blocked). */
  | 'PUSH_SERVICE_ERROR'
  /** The gateway could not be reached. */
  | 'NETWORK_ERROR'
  /** The gateway answered another error (token, rate limit, unavailable): see `httpError`. */
  | 'REQUEST_FAILED';

/** What `enablePush`, `disablePush` and `resubscribeOnChange` reject with: always this, never a bare DOMException. */
export class PushError extends Error {
  override readonly name = 'PushError';
  readonly code: PushErrorCode;
  /** The gateway's answer, when the failure is an HTTP one. */
  readonly httpError: HttpErrorBody | undefined;

  constructor(code: PushErrorCode, message: string, options: { cause?: unknown; httpError?: HttpErrorBody } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.httpError = options.httpError;
  }
}

/** A failed answer of one of the push routes, in the terms of `PushErrorCode`. */
export function httpPushError(error: HttpErrorBody): PushError {
  const options = { httpError: error };
  if (error.code === 'NETWORK_ERROR' || error.code === 'ABORTED')
    return new PushError('NETWORK_ERROR', `The gateway could not be reached: ${error.message}`, options);
  if (error.statusCode === 404)
    return new PushError('NOT_CONFIGURED', `The gateway has no Web Push: ${error.message}`, options);
  if (error.statusCode === 400)
    return new PushError('ENDPOINT_REFUSED', `The gateway refused this subscription: ${error.message}`, options);
  return new PushError('REQUEST_FAILED', `The gateway answered ${error.code}: ${error.message}`, options);
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A rejection of the browser's push API (a DOMException), or anything unexpected, as a `PushError`. */
export function browserPushError(err: unknown): PushError {
  if (err instanceof PushError) return err;
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  if (name === 'NotAllowedError')
    return new PushError('PERMISSION_DENIED', `The browser refused: ${messageOf(err)}`, { cause: err });
  if (name === 'NotSupportedError')
    return new PushError('UNSUPPORTED', `This browser cannot subscribe: ${messageOf(err)}`, { cause: err });
  return new PushError('PUSH_SERVICE_ERROR', `The browser's push service failed: ${messageOf(err)}`, { cause: err });
}
