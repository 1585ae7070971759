import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { type ErrorCode, type HttpError } from '@realtime/contracts';
import { type Response } from 'express';
import { knownError } from './api-error.js';

const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'TOKEN_INVALID',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
};

/** Answers every HTTP error as `{ statusCode, code, message }`; internals never reach the client. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): HttpError {
    const known = knownError(exception);
    if (known) return known.getResponse() as HttpError;
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) return response as HttpError;
      const raw =
        typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      return { statusCode, code: codeByStatus[statusCode] ?? 'INTERNAL_ERROR', message };
    }
    // body-parser errors carry a status (400 malformed JSON, 413 too large) but are not HttpExceptions.
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = status === 413 ? 'request body too large' : 'malformed JSON body';
      return { statusCode: status, code: codeByStatus[status] ?? 'VALIDATION_ERROR', message };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal server error' };
  }
}
