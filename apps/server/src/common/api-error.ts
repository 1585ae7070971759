import { HttpException, HttpStatus } from '@nestjs/common';
import { type ErrorCode, type ValidationIssue } from '@realtime/contracts';
import { type z } from 'zod';
import { isStoreUnavailable } from '../store/store-errors.js';

/** An error with a contract code, answered as `{ statusCode, code, message }` over HTTP and as a failed ack over the socket. */
export class ApiError extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    status: HttpStatus,
    readonly issues?: ValidationIssue[],
  ) {
    super({ statusCode: status, code, message, ...(issues ? { issues } : {}) }, status);
  }

  static validation(error: z.ZodError, what = 'payload'): ApiError {
    const issues = flattenIssues(error);
    const first = issues[0];
    const detail = first ? `: ${first.path ? `${first.path} ` : ''}${first.message}` : '';
    return new ApiError('VALIDATION_ERROR', `invalid ${what}${detail}`, HttpStatus.BAD_REQUEST, issues);
  }

  static notFound(message = 'not found'): ApiError {
    return new ApiError('NOT_FOUND', message, HttpStatus.NOT_FOUND);
  }

  static forbidden(message = 'forbidden'): ApiError {
    return new ApiError('FORBIDDEN', message, HttpStatus.FORBIDDEN);
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
    return new ApiError(
      'UNAVAILABLE',
      'the database did not answer in time; retry later',
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  const sqlState = (err as { code?: unknown } | null)?.code;
  if (typeof sqlState === 'string' && (sqlState.startsWith('22') || sqlState === '54001')) {
    return new ApiError(
      'VALIDATION_ERROR',
      'a value cannot be stored (e.g. a NUL character, a lone surrogate or a number out of range)',
      HttpStatus.BAD_REQUEST,
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
