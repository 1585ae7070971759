import { describe, expect, it } from 'vitest';
import { OVER_BUDGET_DISCONNECT_MS, SocketBudget, Verdict } from './socket-budget.js';

describe('SocketBudget', () => {
  const limits = { eventsPerSecond: 20, burst: 50, maxInFlight: 8 };

  it('admits a burst, then refills at the rate', () => {
    const b = new SocketBudget(limits, 0);
    for (let i = 0; i < 50; i++) expect(b.admit(0)).toBe(Verdict.Admit);
    expect(b.admit(0)).toBe(Verdict.OverRate);
    expect(b.admit(49)).toBe(Verdict.OverRate);
    expect(b.admit(50)).toBe(Verdict.Admit);
    expect(b.admit(50)).toBe(Verdict.OverRate);
    // A long pause refills to the burst, never beyond.
    let admitted = 0;
    while (b.admit(60_000) === Verdict.Admit) admitted++;
    expect(admitted).toBe(50);
  });

  it('disconnects after 5 s of continuous excess, even with events admitted in between', () => {
    const b = new SocketBudget(limits, 0);
    // Forty events a second, twice the rate: the burst lasts 2.5 s, then every other event is refused.
    let t = 0;
    while (b.admit(t) === Verdict.Admit) t += 25;
    const firstRefusal = t;
    const verdicts = new Set<Verdict>();
    for (t += 25; t < firstRefusal + OVER_BUDGET_DISCONNECT_MS; t += 25) verdicts.add(b.admit(t));
    expect(verdicts).toEqual(new Set([Verdict.Admit, Verdict.OverRate]));
    let last: Verdict = b.admit(t);
    while (last === Verdict.Admit) last = b.admit((t += 25));
    expect(last).toBe(Verdict.Disconnect);
  });

  it('forgives a pause: a new burst later starts a new streak', () => {
    const b = new SocketBudget(limits, 0);
    let t = 0;
    for (; t < 4000; t += 5) b.admit(t);
    t += 3000;
    for (const end = t + 4000; t < end; t += 5) expect(b.admit(t)).not.toBe(Verdict.Disconnect);
  });

  it('admits a waiting burst beyond maxInFlight, and refuses beyond that', () => {
    const b = new SocketBudget({ ...limits, eventsPerSecond: 0 }, 0);
    b.inFlight = 8;
    b.waiting = limits.burst - 1;
    expect(b.admit(0)).toBe(Verdict.Admit);
    b.waiting = limits.burst;
    expect(b.admit(0)).toBe(Verdict.TooManyInFlight);
  });

  it('has no limit where the rate and the in-flight cap are 0', () => {
    const b = new SocketBudget({ eventsPerSecond: 0, burst: 1, maxInFlight: 0 }, 0);
    b.inFlight = 1000;
    for (let i = 0; i < 10_000; i++) expect(b.admit(0)).toBe(Verdict.Admit);
  });
});
