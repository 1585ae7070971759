import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';

describe('BatchLoader', () => {
  it('loads the keys asked for in one turn with one call, each key once', async () => {
    const calls: string[][] = [];
    const loader = new BatchLoader(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'ghost').map((k) => [k, k.toUpperCase()]));
    }, 'none');
    const got = await Promise.all(['a', 'b', 'a', 'ghost'].map((k) => loader.get(k)));
    expect(got).toEqual(['A', 'B', 'A', 'none']);
    expect(calls).toEqual([['a', 'b', 'ghost']]);
    expect(await loader.get('c')).toBe('C');
    expect(calls).toHaveLength(2);
  });

  it('holds the keys asked for while a load is in flight, and loads them together when it is answered', async () => {
    const calls: string[][] = [];
    let answer!: () => void;
    const loader = new BatchLoader(async (keys) => {
      calls.push(keys);
      if (calls.length === 1) await new Promise<void>((r) => (answer = r));
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    }, 'none');
    const first = loader.get('a');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a']]);
    // Three more turns while the first load waits: none of them starts another.
    const later: Promise<string>[] = [];
    for (const k of ['b', 'c', 'b']) {
      later.push(loader.get(k));
      await new Promise((r) => setImmediate(r));
    }
    expect(calls).toEqual([['a']]);
    answer();
    expect(await first).toBe('A');
    expect(await Promise.all(later)).toEqual(['B', 'C', 'B']);
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('loads at most 500 keys at a time', async () => {
    const sizes: number[] = [];
    const loader = new BatchLoader(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, 1]));
    }, 0);
    const got = await Promise.all(Array.from({ length: 1201 }, (_, i) => loader.get(`k${i}`)));
    expect(got.every((v) => v === 1)).toBe(true);
    expect(sizes).toEqual([500, 500, 201]);
  });

  it('rejects every caller of a failed load, and loads again afterwards', async () => {
    let fail = true;
    const loader = new BatchLoader(async (keys) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, 1]));
    }, 0);
    await expect(Promise.all([loader.get('a'), loader.get('b')])).rejects.toThrow('down');
    // A load that throws before it returns a promise is answered the same way.
    const throwing = new BatchLoader<number>(() => {
      throw new Error('no pool');
    }, 0);
    await expect(throwing.get('a')).rejects.toThrow('no pool');
    await expect(throwing.get('b')).rejects.toThrow('no pool');
    fail = false;
    expect(await loader.get('a')).toBe(1);
  });
});
