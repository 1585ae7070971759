/** The user's unread count as of a version of their notifications. */
export interface UnreadCount {
  unreadCount: number;
  /** Grows with every change to the user's notifications. */
  version: number;
}

/**
 * The highest-versioned count seen, from socket events, acknowledgements and HTTP pages alike: they can
 * arrive out of order (another device's change, an ack racing its broadcast), and a lower version is older.
 */
export class UnreadCounter {
  private current: UnreadCount | null = null;

  get value(): UnreadCount | null {
    return this.current;
  }

  /** Keeps `next` unless a count of the same or a higher version is already known; true when it changed. */
  apply(next: UnreadCount): boolean {
    if (this.current && next.version <= this.current.version) return false;
    this.current = { unreadCount: next.unreadCount, version: next.version };
    return true;
  }

  reset(): void {
    this.current = null;
  }
}
