import { errorStatus, type HttpError, type HttpErrorCode, type ValidationIssue } from '@realtime/contracts';
import { type z } from 'zod';
import { isStoreUnavailable } from '../store/store-errors.js';

/**
 * An error with a contract code, thrown anywhere (services included) without choosing how it is
 * answered: HTTP answers `{ statusCode, code, message }` with the status the contract gives the code
 * (`errorStatus`), the socket a failed ack (or `error`) with the code.
 */
export class ApiError extends Error {
  override name = 'ApiError';

  /** Sent as `Retry-After` (seconds) with the HTTP answer. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
  }

  /** The HTTP status of its code, from the contract's table. */
  get status(): number {
    return errorStatus[this.code];
  }

  /** The HTTP answer's body. */
  toBody(): HttpError {
    return {
      statusCode: this.status,
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
    } as HttpError;
  }

  static validation(error: z.ZodError, what = 'payload'): ApiError {
    const issues = flattenIssues(error);
    const first = issues[0];
    const detail = first ? `: ${first.path ? `${first.path} ` : ''}${first.message}` : '';
    return new ApiError('VALIDATION_ERROR', `invalid ${what}${detail}`, issues);
  }

  static notFound(message = 'not found'): ApiError {
    return new ApiError('NOT_FOUND', message);
  }

  static forbidden(message = 'forbidden'): ApiError {
    return new ApiError('FORBIDDEN', message);
  }

  static rateLimited(retryAfterSeconds: number, message: string): ApiError {
    const error = new ApiError('RATE_LIMITED', message);
    error.retryAfterSeconds = Math.ceil(retryAfterSeconds);
    return error;
  }
}

/**
 * The contract error an exception stands for, if any: an ApiError as it is, a value the database
 * refused (SQLSTATE class 22, e.g. a NUL character or a number out of range; 54001, nesting too deep),
 * which is the client's input, or a store that did not answer (UNAVAILABLE, worth a retry). Anything
 * else is the server's failure.
 */
export function knownError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (isStoreUnavailable(err)) {
    return new ApiError('UNAVAILABLE', 'the database did not answer in time; retry later');
  }
  const sqlState = (err as { code?: unknown } | null)?.code;
  if (typeof sqlState === 'string' && (sqlState.startsWith('22') || sqlState === '54001')) {
    return new ApiError(
      'VALIDATION_ERROR',
      'a value cannot be stored (e.g. a NUL character, a lone surrogate or a number out of range)',
    );
  }
  return undefined;
}

/** Zod issues as `{ path, message }`, without echoing the input back. */
export function flattenIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parses with a schema or throws a 400 {@link ApiError}. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ApiError.validation(result.error, what);
  return result.data;
}
