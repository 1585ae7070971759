/** Where the SDK keeps its replay position; every method may answer synchronously or with a promise. */
export interface StorageAdapter {
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** The part of the Web Storage API the browser adapter needs (`localStorage`, `sessionStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps values for the life of the process: the default, and what services and tests want. */
export function memoryStorage(initial: Record<string, string> = {}): StorageAdapter {
  const values = new Map(Object.entries(initial));
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}

/**
 * Keeps values in the browser's `localStorage` (or the Web Storage given), so a reload resumes where the
 * page left off. A storage that throws (private mode, quota) loses the position, never the connection.
 */
export function localStorageAdapter(storage?: WebStorageLike): StorageAdapter {
  const target = () => storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
  return {
    get: (key) => {
      try {
        return target()?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        target()?.setItem(key, value);
      } catch {
        // Quota or privacy settings: the next session replays from further back, and dedupe absorbs it.
      }
    },
    remove: (key) => {
      try {
        target()?.removeItem(key);
      } catch {
        // As above.
      }
    },
  };
}

/** The storage key of a user's replay position. */
export const positionKey = (userId: string) => `realtime:last-seq:${userId}`;

/** Reads and writes one user's replay position (`lastSeq`); writes are ordered and never overlap. */
export class PositionStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly storage: StorageAdapter) {}

  /** The stored position, or null when none (or something that is not a seq) is stored. */
  async load(userId: string): Promise<number | null> {
    let raw: string | null;
    try {
      raw = await this.storage.get(positionKey(userId));
    } catch {
      return null;
    }
    if (raw === null || !/^\d{1,10}$/.test(raw.trim())) return null;
    const seq = Number(raw);
    return seq <= 2 ** 31 - 1 ? seq : null;
  }

  /** Queues a write after the ones under way, so the last position saved is the last one stored. */
  save(userId: string, seq: number): Promise<void> {
    this.writing = this.writing.then(() => this.storage.set(positionKey(userId), String(seq))).catch(() => undefined);
    return this.writing;
  }

  /** Waits for the writes under way. */
  flush(): Promise<void> {
    return this.writing;
  }
}
