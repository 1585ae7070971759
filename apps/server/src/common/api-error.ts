import { HttpException, HttpStatus } from '@nestjs/common';
import { type ErrorCode, type ValidationIssue } from '@realtime/contracts';
import { type z } from 'zod';

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
