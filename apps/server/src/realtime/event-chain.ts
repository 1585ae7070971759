import {
  type AckError,
  type ClientEventName,
  clientEventNames,
  clientToServerSchemas,
  type ErrorCode,
  type ServerPayload,
} from '@realtime/contracts';
import { ApiError } from '../common/api-error.js';
import { type MetricsService } from '../metrics/metrics.service.js';
import { type BudgetLimits, OVER_BUDGET_DISCONNECT_MS, SocketBudget, Verdict } from './socket-budget.js';
import { type AppSocket } from './socket-types.js';

/** What the chain keeps for one socket, from its connection to its end. */
export class SocketSession {
  readonly budget: SocketBudget;
  /** While set, the socket's transport is not read (see ClientEventRouter.throttle). */
  throttled: NodeJS.Timeout | null = null;
  /** Admitted events waiting for an in-flight one to finish, oldest first. */
  readonly queue: (() => void)[] = [];
  /** Refusal codes already logged for this socket, one bit each. */
  loggedRefusals = 0;
  /** Events whose unexpected failure was already logged for this socket, one bit each. */
  loggedFailures = 0;

  constructor(
    readonly socket: AppSocket,
    limits: BudgetLimits,
  ) {
    this.budget = new SocketBudget(limits, performance.now());
  }
}

/** One client event on its way through the chain. */
export interface EventCall {
  readonly session: SocketSession;
  readonly event: ClientEventName;
  /** What the client sent; once validated, the parsed payload. */
  payload: unknown;
}

/** How a step stops an event: always a failed ack; `error` and a disconnect when it says so. */
export interface Refusal {
  readonly ack: AckError;
  /** Also sent as `error` (validation failures, as the contract asks, and the budget's last word). */
  readonly error?: ServerPayload<'error'>;
  /** The socket is disconnected after the answer. */
  readonly disconnect?: boolean;
  /** Over budget: stop reading the socket for a moment, so a flood waits in the network, not here. */
  readonly throttle?: boolean;
}

/**
 * A step before the handler: `undefined` passes the event on, a {@link Refusal} stops it there.
 * Synchronous, so an event refused early (a flood) costs no promise and reaches no later step.
 */
export type EventStep = (call: EventCall) => Refusal | undefined;

function refusal(code: ErrorCode, message: string, throttle = false): Refusal {
  return Object.freeze({ ack: Object.freeze({ ok: false, error: Object.freeze({ code, message }) }), throttle });
}

/** Counts every event that arrives, refused or not. */
export function countEvents(metrics: MetricsService): EventStep {
  const counters = new Map(clientEventNames.map((event) => [event, metrics.eventsIn.labels({ event })]));
  return (call) => {
    counters.get(call.event)!.inc();
    return undefined;
  };
}

/**
 * The socket's budget: the token bucket, then the cap on events in progress. An event over it is
 * answered RATE_LIMITED with a prepared ack and goes no further; a socket over its bucket for
 * {@link OVER_BUDGET_DISCONNECT_MS} also gets `error` RATE_LIMITED and is disconnected.
 */
export function enforceBudget(limits: BudgetLimits, metrics: MetricsService): EventStep {
  const overRate = refusal(
    'RATE_LIMITED',
    `over the event budget of ${limits.eventsPerSecond} per second (bursts of ${limits.burst})`,
    true,
  );
  const tooManyInFlight = refusal(
    'RATE_LIMITED',
    `more than ${limits.maxInFlight + limits.burst} events of this socket waiting or in progress`,
    true,
  );
  const disconnect: Refusal = Object.freeze({
    ack: overRate.ack,
    error: Object.freeze({
      code: 'RATE_LIMITED' as const,
      message: `over the event budget for ${OVER_BUDGET_DISCONNECT_MS / 1000} s: disconnected`,
    }),
    disconnect: true,
  });
  const counts = metrics.rateLimitedEvents;
  return (call) => {
    switch (call.session.budget.admit(performance.now())) {
      case Verdict.Admit:
        return undefined;
      case Verdict.TooManyInFlight:
        counts.inFlight++;
        return tooManyInFlight;
      case Verdict.OverRate:
        counts.rate++;
        return overRate;
      case Verdict.Disconnect:
        counts.rate++;
        return disconnect;
    }
  };
}

/** Checks the payload against its contract schema; a failure is answered with flattened issues. */
export const validatePayload: EventStep = (call) => {
  const parsed = clientToServerSchemas[call.event].safeParse(call.payload);
  if (parsed.success) {
    call.payload = parsed.data;
    return undefined;
  }
  const { code, message, issues } = ApiError.validation(parsed.error);
  return { ack: { ok: false, error: { code, message, issues } }, error: { message, code, event: call.event, issues } };
};

const sessionExpired = refusal('TOKEN_EXPIRED', 'the session expired: reconnect with a new token');

/** A session whose token has expired sends nothing more, even before its expiry timer disconnects it. */
export const authorizeSession: EventStep = (call) =>
  call.session.socket.data.expiresAt > Date.now() ? undefined : sessionExpired;
