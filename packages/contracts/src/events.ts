/** Events the server emits to clients. */
export const ServerEvent = {
  /** The handshake succeeded; sent once per connection, before anything else. */
  Authenticated: 'authenticated',
  /** Something the client sent was refused, or its session ended. */
  Error: 'error',
  /** A new notification for this user. */
  NotificationNew: 'notification:new',
  /** A notification was marked read (on this or another device). */
  NotificationRead: 'notification:read',
  /** A notification was deleted (on this or another device). */
  NotificationDeleted: 'notification:deleted',
  /** The user's exact unread count after any change. */
  NotificationUnreadCount: 'notification:unread_count',
  /** Too many notifications were missed to replay: refetch the feed over HTTP. */
  NotificationResync: 'notification:resync',
  /** The handshake's replay is over: the socket has everything up to `lastSeq`. */
  NotificationSynced: 'notification:synced',
  /** The user unlocked an achievement. */
  AchievementUnlocked: 'achievement:unlocked',
  /** The user's rank changed. */
  RankUpdated: 'rank:updated',
  /** The user gained XP. */
  XpGained: 'xp:gained',
  /** A leaderboard changed: the global one, to everyone; a group's (`groupId`), to its members. */
  LeaderboardUpdated: 'leaderboard:updated',
  /** The user's notification preferences changed (on this or another device). */
  PreferencesUpdated: 'preferences:updated',
} as const;

export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

/** Events a client may send to the server; each takes an optional acknowledgement callback. */
export const ClientEvent = {
  /** Mark one notification read on every device of the user. */
  NotificationMarkRead: 'notification:mark_read',
  /** Mark every unread notification read on every device of the user. */
  NotificationMarkAllRead: 'notification:mark_all_read',
  /** Delete one notification on every device of the user. */
  NotificationDelete: 'notification:delete',
  /** Extend this socket's session with a newer token for the same user. */
  AuthRefresh: 'auth:refresh',
} as const;

export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

export const serverEventNames = Object.values(ServerEvent) as ServerEventName[];
export const clientEventNames = Object.values(ClientEvent) as ClientEventName[];

/**
 * Server events only the server sends, from its own state: the session (`authenticated`, `error`),
 * every `notification:*` (positions and counts from the store: a published `seq` or `version` would
 * break every client's) and `preferences:updated`. `POST /api/events` refuses them.
 */
export type ProtocolEventName =
  'authenticated' | 'error' | 'preferences:updated' | Extract<ServerEventName, `notification:${string}`>;

/** Whether `name` is a {@link ProtocolEventName} (any `notification:*`, also one added later). */
export const isProtocolEvent = (name: string): boolean =>
  name === 'authenticated' || name === 'error' || name === 'preferences:updated' || name.startsWith('notification:');

/** Server events another service may publish through `POST /api/events`: those that carry no store position. */
export type PublishableEventName = Exclude<ServerEventName, ProtocolEventName>;

export const publishableEventNames = serverEventNames.filter(
  (name): name is PublishableEventName => !isProtocolEvent(name),
);

/** Names Socket.IO keeps for itself; no contract event may use one. */
export const RESERVED_EVENT_NAMES = [
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
] as const;

/** The room every socket of one user joins. */
export const userRoom = (userId: string): `user:${string}` => `user:${userId}`;

/** The room every socket of every member of a group is in; the server alone puts sockets in it. */
export const groupRoom = (groupId: string): `group:${string}` => `group:${groupId}`;
