// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listener maps are checked where they are declared
type EventMap = { [event: string]: (payload: any) => void };

/** A typed event emitter whose `on` returns the unsubscribe. */
export class Emitter<Events extends EventMap> {
  private readonly listeners = new Map<keyof Events, Set<(payload: unknown) => void>>();

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    // Wrapped, so the same function registered twice is two subscriptions, each removed by its own unsubscribe.
    const entry = (payload: unknown) => listener(payload);
    set.add(entry);
    return () => void set.delete(entry);
  }

  emit<E extends keyof Events>(event: E, payload: Parameters<Events[E]>[0]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        // A listener's bug surfaces as an uncaught error, without breaking the SDK's own bookkeeping.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
