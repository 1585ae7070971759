import { type Limits } from '../config/config.js';

/** A socket whose events keep being refused for this long is disconnected. */
export const OVER_BUDGET_DISCONNECT_MS = 5000;
/** A pause this long without a refused event ends a socket's over-budget streak. */
const STREAK_GAP_MS = 1000;

/** What {@link SocketBudget.admit} decides for one event. */
export const Verdict = {
  Admit: 0,
  /** Over the token bucket: refused. */
  OverRate: 1,
  /** Too many of the socket's events are waiting or being handled: refused. */
  TooManyInFlight: 2,
  /** Over the token bucket for {@link OVER_BUDGET_DISCONNECT_MS} already: refused, and the socket is to go. */
  Disconnect: 3,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The budget every socket gets (0 turns a part off); shared by all sockets. */
export interface BudgetLimits {
  eventsPerSecond: number;
  burst: number;
  maxInFlight: number;
}

export function budgetLimits(limits: Limits): BudgetLimits {
  const eventsPerSecond = limits.socketEventsPerSecond;
  return {
    eventsPerSecond,
    // A bucket smaller than one event would refuse everything.
    burst: Math.max(1, limits.socketEventsBurst || eventsPerSecond),
    maxInFlight: limits.socketMaxInFlight,
  };
}

/**
 * One socket's event budget: a token bucket (rate, burst) and a cap on its events being handled at
 * once (`maxInFlight`; admitted events beyond it wait their turn, at most a burst of them, so a burst
 * within budget is answered, never refused). O(1) and allocation-free per event, with no timer: the
 * bucket refills from the clock when the next event comes, and a socket that stays over budget is
 * caught by its own next event.
 */
export class SocketBudget {
  private tokens: number;
  private refilledAt: number;
  private streakStart = 0;
  private lastRefusal = Number.NEGATIVE_INFINITY;
  /** Events admitted whose handler has not finished. */
  inFlight = 0;
  /** Events admitted and waiting for one of those to finish. */
  waiting = 0;

  constructor(
    private readonly limits: BudgetLimits,
    now: number,
  ) {
    this.tokens = limits.burst;
    this.refilledAt = now;
  }

  /** Takes one event from the budget; `now` in milliseconds from a monotonic clock. */
  admit(now: number): Verdict {
    const { eventsPerSecond, burst, maxInFlight } = this.limits;
    if (eventsPerSecond > 0) {
      this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) * eventsPerSecond) / 1000);
      this.refilledAt = now;
      if (this.tokens < 1) return this.overRate(now);
      this.tokens -= 1;
    }
    // Only reachable with the bucket off: the bucket never admits more than a burst at once.
    if (maxInFlight > 0 && this.inFlight + this.waiting >= maxInFlight + burst) return Verdict.TooManyInFlight;
    return Verdict.Admit;
  }

  // Admitted events in between (the bucket refills a little) do not end a streak; a pause does.
  private overRate(now: number): Verdict {
    if (now - this.lastRefusal > STREAK_GAP_MS) this.streakStart = now;
    this.lastRefusal = now;
    return now - this.streakStart >= OVER_BUDGET_DISCONNECT_MS ? Verdict.Disconnect : Verdict.OverRate;
  }
}
