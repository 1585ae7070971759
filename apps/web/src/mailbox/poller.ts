/** Whether the page is seen, and word when that changes: `document.visibilityState` in the browser. */
export interface Visibility {
  visible(): boolean;
  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export const documentVisibility: Visibility = {
  visible: () => document.visibilityState === 'visible',
  subscribe(listener) {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

/** What a poll says about the next one: `stop` when there is nothing left to poll (a route that is not there). */
export type PollOutcome = 'again' | 'stop';

export interface Poller {
  /** Polls now (a "Try again"), unless a poll is in flight: its answer is as fresh. */
  refresh(): void;
  /** No more polls; the one in flight is aborted. */
  stop(): void;
}

export interface PollingOptions {
  /** From the end of one poll to the start of the next. */
  intervalMs: number;
  visibility: Visibility;
}

/**
 * Runs `poll` at once, then `intervalMs` after each one ends, one at a time, while the page is seen: a hidden page
 * is not polled, and is polled at once when it is seen again.
 */
export function startPolling(
  poll: (signal: AbortSignal) => Promise<PollOutcome>,
  { intervalMs, visibility }: PollingOptions,
): Poller {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let stopped = false;

  const cancelTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const schedule = () => {
    cancelTimer();
    if (!stopped && visibility.visible()) timer = setTimeout(() => void run(), intervalMs);
  };

  const run = async () => {
    cancelTimer();
    if (stopped || running || !visibility.visible()) return;
    running = true;
    let outcome: PollOutcome = 'again';
    try {
      outcome = await poll(controller.signal);
    } finally {
      running = false;
      if (outcome === 'stop') stop();
      else schedule();
    }
  };

  const onVisibility = () => {
    if (!visibility.visible()) cancelTimer();
    else if (!running) void run();
  };
  const unsubscribe = visibility.subscribe(onVisibility);

  function stop() {
    if (stopped) return;
    stopped = true;
    cancelTimer();
    unsubscribe();
    controller.abort();
  }

  void run();
  return { refresh: () => void run(), stop };
}
