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

  it('rejects every caller of a failed load, and loads again afterwards', async () => {
    let fail = true;
    const loader = new BatchLoader(async (keys) => {
      if (fail) throw new Error('down');
      return new Map(keys.map((k) => [k, 1]));
    }, 0);
    await expect(Promise.all([loader.get('a'), loader.get('b')])).rejects.toThrow('down');
    fail = false;
    expect(await loader.get('a')).toBe(1);
  });
});
