import { z } from 'zod';

/** `GET /health` answers 200 while the process serves. */
export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  /** Seconds since the process started. */
  uptime: z.number().int().nonnegative(),
});

/** Each readiness check by name (`store`, `redis`, ...). */
const readinessChecks = z.record(z.string(), z.enum(['up', 'down']));

/** `GET /ready` answers 200 when every dependency answers. */
export const readyResponseSchema = z.object({ status: z.literal('ready'), checks: readinessChecks });

/** `GET /ready` answers 503 when a dependency does not answer, or from the moment the process drains. */
export const notReadyResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unavailable'), checks: readinessChecks }),
  z.object({ status: z.literal('draining') }),
]);
