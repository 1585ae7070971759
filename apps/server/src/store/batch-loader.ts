/** At most this many keys per query. */
const MAX_BATCH = 500;

/**
 * Loads by key, one query for every key asked for during the same turn of the event loop (the
 * DataLoader pattern): a burst of handshakes costs a few queries, not one each.
 */
export class BatchLoader<V> {
  private pending = new Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }[]>();

  /** `load` answers the keys it found; the others get `missing`. */
  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly missing: V,
  ) {}

  get(key: string): Promise<V> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => this.flush());
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const chunk = keys.slice(i, i + MAX_BATCH);
      this.load(chunk).then(
        (found) => {
          for (const key of chunk) for (const w of batch.get(key)!) w.resolve(found.get(key) ?? this.missing);
        },
        (err: unknown) => {
          for (const key of chunk) for (const w of batch.get(key)!) w.reject(err);
        },
      );
    }
  }
}
