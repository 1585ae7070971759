import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** Window over which the delay is reported: the last complete one and the one in progress. */
const WINDOW_MS = 10_000;

export interface LoopDelay {
  /** The 99th percentile of the event loop's delay, in ms. */
  p99Ms: number;
  /** The longest the event loop was blocked, in ms. */
  maxMs: number;
}

/**
 * The main thread's event-loop delay over the last 10 to 20 s (Node's own sampler, a libuv timer every
 * 10 ms, so it costs nothing on the hot path). A loop that was blocked is seen the moment it runs
 * again, which is when `/health` can answer at all.
 */
export class EventLoopWatch {
  private readonly current: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private previous: LoopDelay = { p99Ms: 0, maxMs: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.current.enable();
    this.timer = setInterval(() => {
      this.previous = this.read();
      this.current.reset();
    }, WINDOW_MS).unref();
  }

  /** The delay over the last window and the current one. */
  delay(): LoopDelay {
    const now = this.read();
    return { p99Ms: Math.max(now.p99Ms, this.previous.p99Ms), maxMs: Math.max(now.maxMs, this.previous.maxMs) };
  }

  stop(): void {
    clearInterval(this.timer);
    this.current.disable();
  }

  private read(): LoopDelay {
    // The histogram counts the sampling interval itself in every value: what is beyond it is delay.
    const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - 10) * 10) / 10);
    return this.current.count === 0
      ? { p99Ms: 0, maxMs: 0 }
      : { p99Ms: ms(this.current.percentile(99)), maxMs: ms(this.current.max) };
  }
}
