import { type UserState } from './user-state.js';

/** How many users' states are kept; the least recently changed or read are dropped first. */
const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * User states in memory, for a store this process alone writes (the embedded one): loaded at start
 * and kept by every committed change, so the handshake needs no query. A state never replaces a
 * newer one. While it holds every user of the store (`complete`), a user it lacks has no state.
 */
export class UserStateCache {
  private readonly states = new Map<string, UserState>();
  private complete = false;

  constructor(readonly capacity = DEFAULT_MAX_ENTRIES) {}

  /** Fills the cache with the store's users; `all` says whether these are all of them. */
  load(states: Iterable<[string, UserState]>, all: boolean): void {
    for (const [userId, state] of states) this.remember(userId, state);
    this.complete = all && this.states.size <= this.capacity;
  }

  /** The user's state; `null` when the cache knows the user has none; undefined when it does not know. */
  get(userId: string): UserState | null | undefined {
    return this.states.get(userId) ?? (this.complete ? null : undefined);
  }

  /** Keeps `state` unless a newer version is already known; returns the state kept. */
  remember(userId: string, state: UserState): UserState {
    const known = this.states.get(userId);
    if (known && known.version > state.version) return known;
    this.states.delete(userId);
    this.states.set(userId, state);
    if (this.states.size > this.capacity) {
      this.states.delete(this.states.keys().next().value!);
      this.complete = false;
    }
    return state;
  }
}
