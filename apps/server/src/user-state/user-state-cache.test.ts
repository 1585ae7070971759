import { describe, expect, it } from 'vitest';
import { UserStateCache } from './user-state-cache.js';

const state = (version: number, unreadCount = version) => ({ lastSeq: version, unreadCount, version, groups: [] });

describe('UserStateCache', () => {
  it('knows nothing until loaded, then knows that a user it lacks has no state', () => {
    const cache = new UserStateCache(10);
    expect(cache.get('ada')).toBeUndefined();
    cache.load([['ada', state(2)]], true);
    expect(cache.get('ada')).toEqual(state(2));
    expect(cache.get('bob')).toBeNull();
    const partial = new UserStateCache(10);
    partial.load([['ada', state(2)]], false);
    expect(partial.get('bob')).toBeUndefined();
  });

  it('never lets an older version replace a newer one', () => {
    const cache = new UserStateCache(10);
    cache.remember('ada', state(5));
    expect(cache.remember('ada', state(4))).toEqual(state(5));
    expect(cache.remember('ada', state(6, 0))).toEqual(state(6, 0));
    expect(cache.get('ada')).toEqual(state(6, 0));
  });

  it('drops the least recently changed user when full, and stops claiming to know every user', () => {
    const cache = new UserStateCache(2);
    cache.load(
      [
        ['a', state(1)],
        ['b', state(1)],
      ],
      true,
    );
    cache.remember('a', state(2));
    cache.remember('c', state(1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(state(2));
    expect(cache.get('zed')).toBeUndefined();
  });
});
