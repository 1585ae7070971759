import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './memory-storage.js';
import { clearSession, loadSession, saveSession, type Session } from './session-store.js';

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
