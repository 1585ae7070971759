import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.js';

type Events = { tick: (n: number) => void };

describe('Emitter', () => {
  it('unsubscribes exactly the subscription it returned', () => {
    const e = new Emitter<Events>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const off = e.on('tick', listener);
    e.on('tick', listener);
    off();
    e.emit('tick', 1);
    expect(seen).toEqual([1]);
  });

  it('keeps calling the other listeners when one throws, and surfaces the error', async () => {
    const e = new Emitter<Events>();
    const seen: number[] = [];
    const thrown = vi.fn();
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (cb) =>
      original(() => {
        try {
          cb();
        } catch (err) {
          thrown(err);
        }
      });
    try {
      e.on('tick', () => {
        throw new Error('listener bug');
      });
      e.on('tick', (n) => seen.push(n));
      e.emit('tick', 2);
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(seen).toEqual([2]);
    expect(thrown).toHaveBeenCalledWith(new Error('listener bug'));
  });
});
