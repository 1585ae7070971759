import { describe, expect, it, vi } from 'vitest';
import type { DevToken } from '../gateway/dev-tokens.js';
import { MemoryStorage } from './memory-storage.js';
import { createSessionManager } from './session-manager.js';
import { loadSession } from './session-store.js';

const token = (n: number): DevToken => ({
  token: `token-${n}`,
  userId: 'ada',
  email: 'ada@demo.local',
  role: 'user',
  displayName: 'Ada',
  expiresAt: `2026-01-01T0${n}:00:00.000Z`,
});

async function signedIn() {
  const storage = new MemoryStorage();
  let minted = 0;
  const mint = vi.fn(() => Promise.resolve(token(++minted)));
  const manager = createSessionManager({ storage, mint });
  const changes = vi.fn();
  manager.subscribe(changes);
  await manager.signIn('Ada', 'ada');
  return { manager, mint, changes, storage };
}

describe('createSessionManager', () => {
  it('signs in with a dev token, keeps the session in the tab, and tells subscribers', async () => {
    const { manager, mint, changes, storage } = await signedIn();
    expect(mint).toHaveBeenCalledWith({ name: 'Ada', userId: 'ada' });
    expect(manager.current()).toMatchObject({ token: 'token-1', userId: 'ada', requestedName: 'Ada' });
    expect(loadSession(storage)).toEqual(manager.current());
    expect(changes).toHaveBeenCalledTimes(1);
    manager.signOut();
    expect(manager.current()).toBeNull();
    expect(loadSession(storage)).toBeNull();
  });

  it("hands the SDK the session's token for handshakes and HTTP calls", async () => {
    const { manager, mint } = await signedIn();
    expect(await manager.getToken({ reason: 'connect' })).toBe('token-1');
    expect(await manager.getToken({ reason: 'http' })).toBe('token-1');
    expect(mint).toHaveBeenCalledTimes(1);
  });

  it('mints a new token for the same user when the SDK renews or was refused, and keeps it', async () => {
    const { manager, mint } = await signedIn();
    expect(await manager.getToken({ reason: 'refresh' })).toBe('token-2');
    expect(mint).toHaveBeenLastCalledWith({ name: 'Ada', userId: 'ada' });
    expect(manager.current()).toMatchObject({ token: 'token-2', requestedName: 'Ada' });
    expect(await manager.getToken({ reason: 'connect' })).toBe('token-2');
    expect(await manager.getToken({ reason: 'rejected' })).toBe('token-3');
  });

  it('shares one request between concurrent renewals', async () => {
    const { manager, mint } = await signedIn();
    const tokens = await Promise.all([
      manager.getToken({ reason: 'refresh' }),
      manager.getToken({ reason: 'rejected' }),
    ]);
    expect(tokens).toEqual(['token-2', 'token-2']);
    expect(mint).toHaveBeenCalledTimes(2);
  });

  it('keeps a signed-out tab signed out, even when a renewal was under way', async () => {
    const { manager } = await signedIn();
    const renewal = manager.getToken({ reason: 'refresh' });
    manager.signOut();
    await renewal;
    expect(manager.current()).toBeNull();
    await expect(manager.getToken({ reason: 'connect' })).rejects.toThrow('Not signed in.');
  });
});
