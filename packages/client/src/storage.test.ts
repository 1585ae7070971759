import { describe, expect, it } from 'vitest';
import { localStorageAdapter, memoryStorage, PositionStore, positionKey, type WebStorageLike } from './storage.js';

class FakeWebStorage implements WebStorageLike {
  readonly values = new Map<string, string>();
  getItem = (k: string) => this.values.get(k) ?? null;
  setItem = (k: string, v: string) => void this.values.set(k, v);
  removeItem = (k: string) => void this.values.delete(k);
}

describe('storage', () => {
  it('keeps one position per user', async () => {
    const store = new PositionStore(memoryStorage());
    await store.save('ada', 7);
    await store.save('grace', 2);
    expect(await store.load('ada')).toBe(7);
    expect(await store.load('grace')).toBe(2);
    expect(await store.load('nobody')).toBeNull();
  });

  it('reads something that is not a seq as no position', async () => {
    for (const raw of ['', 'abc', '-1', '1.5', '99999999999']) {
      const store = new PositionStore(memoryStorage({ [positionKey('ada')]: raw }));
      expect(await store.load('ada')).toBeNull();
    }
  });

  it('stores the last position saved, even through a slow asynchronous adapter', async () => {
    const values = new Map<string, string>();
    const slow = {
      get: async (k: string) => values.get(k) ?? null,
      set: (k: string, v: string) =>
        new Promise<void>((r) => setTimeout(() => (values.set(k, v), r()), v === '1' ? 20 : 1)),
      remove: async (k: string) => void values.delete(k),
    };
    const store = new PositionStore(slow);
    void store.save('ada', 1);
    void store.save('ada', 2);
    await store.flush();
    expect(await store.load('ada')).toBe(2);
  });

  it('survives an adapter that throws', async () => {
    const broken = {
      get: () => {
        throw new Error('nope');
      },
      set: () => Promise.reject(new Error('full')),
      remove: () => undefined,
    };
    const store = new PositionStore(broken);
    await expect(store.save('ada', 1)).resolves.toBeUndefined();
    expect(await store.load('ada')).toBeNull();
  });

  it('writes through to Web Storage, and swallows its quota errors', async () => {
    const web = new FakeWebStorage();
    const adapter = localStorageAdapter(web);
    adapter.set('k', 'v');
    expect(web.values.get('k')).toBe('v');
    expect(adapter.get('k')).toBe('v');
    adapter.remove('k');
    expect(adapter.get('k')).toBeNull();
    web.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(() => adapter.set('k', 'v')).not.toThrow();
  });

  it('reads nothing where there is no localStorage (Node)', () => {
    expect(localStorageAdapter().get('k')).toBeNull();
  });
});
