import { HttpStatus } from '@nestjs/common';
import { ApiError } from './api-error.js';

/**
 * Refuses (413) a publish whose payload, sent to each recipient, adds up to more than `maxBytes`
 * (`config.limits.maxFanoutBytes`; 0: no limit), before anything is stored or sent.
 */
export function assertFanout(payload: unknown, recipients: number, maxBytes: number): void {
  if (maxBytes <= 0 || recipients === 0) return;
  const bytes = Buffer.byteLength(JSON.stringify(payload) ?? '');
  if (bytes * recipients <= maxBytes) return;
  throw new ApiError(
    'PAYLOAD_TOO_LARGE',
    `${bytes} bytes to ${recipients} recipients is more than the ${maxBytes} bytes one request may fan out`,
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
}
