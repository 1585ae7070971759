import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { type ErrorCode, type HttpError } from '@realtime/contracts';
import { type FastifyReply } from 'fastify';
import { type ServerResponse } from 'node:http';
import { knownError } from './api-error.js';
import { sendJson } from './fast-route.js';

const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'TOKEN_INVALID',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
};

/** What Fastify's body parsing refused, in the contract's words. */
const bodyErrors: Record<string, { statusCode: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, message: 'malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { statusCode: 400, message: 'empty JSON body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    statusCode: 400,
    message: 'the body must be JSON (content-type: application/json)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, message: 'content-length does not match the body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, message: 'request body too large' },
};

/** A client told UNAVAILABLE may retry after this many seconds. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** Answers every HTTP error as `{ statusCode, code, message }`; internals never reach the client. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendHttpError(host.switchToHttp().getResponse<FastifyReply>(), exception, this.logger);
  }
}

/** Answers `exception` as the contract's error body (the filter's, and a lean route's: common/lean-route.ts). */
export function sendHttpError(res: FastifyReply, exception: unknown, logger: Logger): void {
  const { body, retryAfter } = errorAnswer(exception, logger);
  if (res.sent) return;
  if (retryAfter !== undefined && !res.hasHeader('retry-after')) void res.header('retry-after', retryAfter);
  // The route may have set another content type (e.g. /metrics' text/plain) before it failed.
  void res.status(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/** {@link sendHttpError} for a request answered before Fastify (common/fast-route.ts). */
export function sendRawHttpError(res: ServerResponse, exception: unknown, logger: Logger): void {
  const { body, retryAfter } = errorAnswer(exception, logger);
  if (!res.headersSent) sendJson(res, body.statusCode, body, retryAfter ? { 'retry-after': retryAfter } : undefined);
}

/** The body and `Retry-After` that answer `exception`; logs what the server must hear of. */
function errorAnswer(exception: unknown, logger: Logger): { body: HttpError; retryAfter?: string } {
  const body = errorBody(exception);
  const wait = knownError(exception)?.retryAfterSeconds;
  if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) {
    logger.warn(`unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
    return { body, retryAfter: String(wait ?? UNAVAILABLE_RETRY_AFTER_SECONDS) };
  }
  if (body.statusCode >= 500) logger.error(exception instanceof Error ? exception.stack : String(exception));
  return { body, ...(wait !== undefined ? { retryAfter: String(wait) } : {}) };
}

function errorBody(exception: unknown): HttpError {
  const known = knownError(exception);
  if (known) return known.toBody();
  // Fastify's own errors (body parsing) reach here wrapped by Nest, with the original as `cause`.
  const fastifyCode = ((exception as { cause?: { code?: unknown } })?.cause ?? (exception as { code?: unknown }))?.code;
  const bodyError = typeof fastifyCode === 'string' ? bodyErrors[fastifyCode] : undefined;
  if (bodyError) return { ...bodyError, code: codeByStatus[bodyError.statusCode]! };
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'code' in response) return response as HttpError;
    const raw =
      typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return { statusCode, code: codeByStatus[statusCode] ?? 'INTERNAL_ERROR', message };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal server error' };
}
