import { HttpStatus } from '@nestjs/common';
import { ApiError } from './api-error.js';

/**
 * Whether the database refused a value rather than failed: SQLSTATE class 22 (a NUL character, a
 * lone surrogate, a number out of range) or 54001 (nesting too deep). That is the client's input.
 */
export function isRejectedValue(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '54001');
}

export const rejectedValueError = () =>
  new ApiError(
    'VALIDATION_ERROR',
    'a value cannot be stored (e.g. a NUL character, a lone surrogate or a number out of range)',
    HttpStatus.BAD_REQUEST,
  );
