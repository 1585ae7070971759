import { describe, expect, it } from 'vitest';
import { UnreadCounter } from './unread-count.js';

describe('UnreadCounter', () => {
  it('keeps the count of the highest version, whatever the arrival order', () => {
    const c = new UnreadCounter();
    expect(c.apply({ unreadCount: 3, version: 5 })).toBe(true);
    expect(c.apply({ unreadCount: 9, version: 4 })).toBe(false);
    expect(c.value).toEqual({ unreadCount: 3, version: 5 });
    expect(c.apply({ unreadCount: 2, version: 6 })).toBe(true);
    expect(c.value).toEqual({ unreadCount: 2, version: 6 });
  });

  it('ignores a repeat of the current version', () => {
    const c = new UnreadCounter();
    c.apply({ unreadCount: 1, version: 0 });
    expect(c.apply({ unreadCount: 7, version: 0 })).toBe(false);
    expect(c.value).toEqual({ unreadCount: 1, version: 0 });
  });

  it('starts over on reset (another user)', () => {
    const c = new UnreadCounter();
    c.apply({ unreadCount: 1, version: 10 });
    c.reset();
    expect(c.value).toBeNull();
    expect(c.apply({ unreadCount: 4, version: 2 })).toBe(true);
  });
});
