/**
 * A user's `user_state` row: their position (the last `seq` handed out), the exact unread count and
 * its version, and their groups. Notifications, groups and gamification change it; the handshake reads it.
 */
export interface UserState {
  lastSeq: number;
  unreadCount: number;
  /** Grows with every change to the user's notifications (and to their groups). */
  version: number;
  /** The groups the user is a member of. */
  groups: readonly string[];
}

/** The state of a user who never had a notification. */
export const NO_STATE: UserState = Object.freeze({ lastSeq: 0, unreadCount: 0, version: 0, groups: Object.freeze([]) });

/** The columns of a `user_state` row that make a {@link UserState}. */
export type StateRow = { last_seq: number; unread_count: number; version: number; groups: string[] };

/** The columns to select or return for a {@link StateRow}. */
export const STATE_COLUMNS = ['last_seq', 'unread_count', 'version', 'groups'] as const;

export const toState = (r: StateRow): UserState => ({
  lastSeq: r.last_seq,
  unreadCount: r.unread_count,
  version: r.version,
  groups: r.groups,
});
