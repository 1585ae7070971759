import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PollOutcome, startPolling, type Visibility } from './poller.js';

/** A page whose visibility the test sets. */
function fakeVisibility(initially = true) {
  let visible = initially;
  const listeners = new Set<() => void>();
  const visibility: Visibility = {
    visible: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const set = (next: boolean) => {
    visible = next;
    for (const listener of listeners) listener();
  };
  return { visibility, set, listeners };
}

/** A poll that answers when the test says, and records its signals. */
function controlledPoll() {
  const signals: AbortSignal[] = [];
  const pending: ((outcome: PollOutcome) => void)[] = [];
  const poll = vi.fn((signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<PollOutcome>((resolve) => pending.push(resolve));
  });
  const answer = async (outcome: PollOutcome = 'again') => {
    pending.shift()!(outcome);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { poll, signals, answer };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('startPolling', () => {
  it('polls at once, then an interval after each answer, never two at a time', async () => {
    const { visibility } = fakeVisibility();
    const { poll, answer } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    expect(poll).toHaveBeenCalledTimes(1);

    // A slow answer: no second poll meanwhile.
    await vi.advanceTimersByTimeAsync(5000);
    expect(poll).toHaveBeenCalledTimes(1);
    await answer();
    await vi.advanceTimersByTimeAsync(1999);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it('waits while the page is hidden and polls at once when it is seen again', async () => {
    const { visibility, set } = fakeVisibility();
    const { poll, answer } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    await answer();
    set(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poll).toHaveBeenCalledTimes(1);

    set(true);
    expect(poll).toHaveBeenCalledTimes(2);
    await answer();
    await vi.advanceTimersByTimeAsync(2000);
    expect(poll).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('starts nothing on a hidden page until it is seen', async () => {
    const { visibility, set } = fakeVisibility(false);
    const { poll } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poll).not.toHaveBeenCalled();
    set(true);
    expect(poll).toHaveBeenCalledTimes(1);
    poller.stop();
  });

  it('does not start a second poll when the page is seen again while one is in flight', async () => {
    const { visibility, set } = fakeVisibility();
    const { poll, answer } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    set(false);
    set(true);
    expect(poll).toHaveBeenCalledTimes(1);
    await answer();
    await vi.advanceTimersByTimeAsync(2000);
    expect(poll).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it('polls now on refresh, and restarts the interval from that answer', async () => {
    const { visibility } = fakeVisibility();
    const { poll, answer } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    poller.refresh(); // in flight: nothing more
    expect(poll).toHaveBeenCalledTimes(1);
    await answer();
    await vi.advanceTimersByTimeAsync(1500);
    poller.refresh();
    expect(poll).toHaveBeenCalledTimes(2);
    await answer();
    await vi.advanceTimersByTimeAsync(1999);
    expect(poll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('ends when a poll says stop', async () => {
    const { visibility, set, listeners } = fakeVisibility();
    const { poll, answer, signals } = controlledPoll();
    startPolling(poll, { intervalMs: 2000, visibility });
    await answer('stop');
    await vi.advanceTimersByTimeAsync(10_000);
    set(false);
    set(true);
    expect(poll).toHaveBeenCalledTimes(1);
    expect(listeners.size).toBe(0);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('aborts the poll in flight on stop and polls no more', async () => {
    const { visibility, listeners } = fakeVisibility();
    const { poll, answer, signals } = controlledPoll();
    const poller = startPolling(poll, { intervalMs: 2000, visibility });
    poller.stop();
    expect(signals[0]!.aborted).toBe(true);
    expect(listeners.size).toBe(0);
    await answer();
    poller.refresh();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(poll).toHaveBeenCalledTimes(1);
  });
});
