import { z } from 'zod';

/** The main thread's event-loop delay over the last 10-20 s. */
const eventLoopSchema = z.object({
  /** 99th percentile of the delay, in ms. */
  p99Ms: z.number().nonnegative(),
  /** The longest the event loop was blocked, in ms. */
  maxMs: z.number().nonnegative(),
});

/** `GET /health` answers 200 while the process serves. */
export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  /** Seconds since the process started. */
  uptime: z.number().int().nonnegative(),
  eventLoop: eventLoopSchema,
});

/**
 * `GET /health` answers 503 when the process is wedged: its event loop was blocked for a second or
 * more within the last 10-20 s, or its embedded store has run one statement past the store's timeout.
 */
export const blockedResponseSchema = z.object({
  status: z.literal('blocked'),
  uptime: z.number().int().nonnegative(),
  eventLoop: eventLoopSchema,
  /** What is blocked: `event_loop`, `store`. */
  blocked: z.array(z.enum(['event_loop', 'store'])).min(1),
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
