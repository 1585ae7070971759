/** At most this many keys per query. */
const MAX_BATCH = 500;

interface Waiter<V> {
  resolve: (v: V) => void;
  reject: (e: unknown) => void;
}

/**
 * Loads by key in batches (the DataLoader pattern, paced by the store like Nagle's algorithm): the keys
 * asked for during one turn of the event loop go out in one query, and while a query is in flight the
 * keys asked for meanwhile wait for it and then go out together in the next. An idle store answers a
 * lone key at once; a busy one gets fewer, larger queries. A handshake burst arrives one connection
 * per turn, so batching by turn alone made nearly one query per handshake.
 */
export class BatchLoader<V> {
  private pending = new Map<string, Waiter<V>[]>();
  private inFlight = false;
  private scheduled = false;

  /** `load` answers the keys it found; the others get `missing`. */
  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly missing: V,
  ) {}

  get(key: string): Promise<V> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  /** The next batch goes at the end of this turn, unless one is in flight: then when it is answered. */
  private schedule(): void {
    if (this.scheduled || this.inFlight || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch = new Map<string, Waiter<V>[]>();
    for (const [key, waiters] of this.pending) {
      if (batch.size === MAX_BATCH) break;
      batch.set(key, waiters);
      this.pending.delete(key);
    }
    this.inFlight = true;
    const keys = [...batch.keys()];
    const settle = (answer: (w: Waiter<V>, key: string) => void) => {
      this.inFlight = false;
      for (const [key, waiters] of batch) for (const w of waiters) answer(w, key);
      this.schedule();
    };
    let loading: Promise<Map<string, V>>;
    try {
      loading = this.load(keys);
    } catch (err) {
      loading = Promise.reject(err);
    }
    loading.then(
      (found) => settle((w, key) => w.resolve(found.get(key) ?? this.missing)),
      (err: unknown) => settle((w) => w.reject(err)),
    );
  }
}
