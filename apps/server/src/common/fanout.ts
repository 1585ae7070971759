import { ApiError } from './api-error.js';

/**
 * Refuses (413) a publish whose payload, sent to each recipient, adds up to more than `maxBytes`
 * (`config.limits.maxFanoutBytes`; 0: no limit), before anything is stored or sent. `atMost` is a
 * size the payload cannot exceed (its request body's): when that already fits, the payload is not
 * serialised again just to be measured (the publish route's hot path).
 */
export function assertFanout(payload: unknown, recipients: number, maxBytes: number, atMost = Infinity): void {
  if (maxBytes <= 0 || recipients === 0 || atMost * recipients <= maxBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(payload) ?? '');
  if (bytes * recipients <= maxBytes) return;
  throw new ApiError(
    'PAYLOAD_TOO_LARGE',
    `${bytes} bytes to ${recipients} recipients is more than the ${maxBytes} bytes one request may fan out`,
  );
}

/** The size of a request's body as its Content-Length says (Fastify has checked it), else unknown. */
export function bodySize(req: { headers: Record<string, string | string[] | undefined> }): number {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) ? length : Infinity;
}
