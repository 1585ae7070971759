import { describe, expect, it } from 'vitest';
import {
  clearSession,
  loadSession,
  readLastSeq,
  refreshDelay,
  saveSession,
  type Session,
  writeLastSeq,
} from './session-store.js';

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

const session: Session = {
  token: 't',
  userId: 'ada',
  email: 'ada@demo.local',
  role: 'user',
  displayName: 'Ada',
  expiresAt: '2026-01-01T01:00:00.000Z',
  requestedName: 'Ada',
  requestedUserId: 'ada',
};

describe('session storage', () => {
  it('saves, loads and clears a session', () => {
    const storage = new MemoryStorage();
    expect(loadSession(storage)).toBeNull();
    saveSession(session, storage);
    expect(loadSession(storage)).toEqual(session);
    clearSession(storage);
    expect(loadSession(storage)).toBeNull();
  });

  it('ignores a damaged entry instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem('realtime-demo:session', '{not json');
    expect(loadSession(storage)).toBeNull();
    storage.setItem('realtime-demo:session', JSON.stringify({ token: 1 }));
    expect(loadSession(storage)).toBeNull();
  });
});

describe('lastSeq', () => {
  it('is unknown until written, then kept per user', () => {
    const storage = new MemoryStorage();
    expect(readLastSeq('ada', storage)).toBeNull();
    writeLastSeq('ada', 0, storage);
    writeLastSeq('grace', 7, storage);
    expect(readLastSeq('ada', storage)).toBe(0);
    expect(readLastSeq('grace', storage)).toBe(7);
  });

  it('only moves forward', () => {
    const storage = new MemoryStorage();
    writeLastSeq('ada', 5, storage);
    writeLastSeq('ada', 3, storage);
    expect(readLastSeq('ada', storage)).toBe(5);
    writeLastSeq('ada', 6, storage);
    expect(readLastSeq('ada', storage)).toBe(6);
  });

  it('treats a garbled value as unknown', () => {
    const storage = new MemoryStorage();
    storage.setItem('realtime-demo:last-seq:ada', 'abc');
    expect(readLastSeq('ada', storage)).toBeNull();
  });
});

describe('refreshDelay', () => {
  const now = Date.parse('2026-01-01T00:00:00.000Z');

  it('renews an hour-long token a minute before it expires', () => {
    expect(refreshDelay('2026-01-01T01:00:00.000Z', now)).toBe(59 * 60_000);
  });

  it('renews a short-lived token at 80% of what is left', () => {
    expect(refreshDelay('2026-01-01T00:00:10.000Z', now)).toBe(8_000);
  });

  it('renews an expired token at once, and never for an unreadable date', () => {
    expect(refreshDelay('2025-12-31T23:00:00.000Z', now)).toBe(0);
    expect(refreshDelay('soon', now)).toBe(Number.POSITIVE_INFINITY);
  });
});
