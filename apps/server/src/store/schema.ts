import { type QuietHours } from '@realtime/contracts';
import { type ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface NotificationsTable {
  id: string;
  user_id: string;
  seq: number;
  type: string;
  title: string;
  message: string;
  data: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  read_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  created_at: Timestamp;
}

/**
 * Per user: the last `seq` handed out, the exact unread count and its version, all changed in the
 * transaction that changes the user's notifications. Its row lock serialises those changes.
 */
export interface UserStateTable {
  user_id: string;
  last_seq: number;
  unread_count: number;
  version: number;
  /** The user's groups (as in group_members), so the handshake's one read names the rooms to join. */
  groups: ColumnType<string[], string[] | undefined, string[]>;
  /** The `email` claim of the user's latest token, and that token's `iat` (epoch seconds). */
  email_claim: ColumnType<string | null, string | null | undefined, string | null>;
  email_claim_iat: ColumnType<string | null, number | null | undefined, number | null>;
  /** The address a service set (PUT /api/users/:userId/email); it wins over the claim. */
  email_set: ColumnType<string | null, string | null | undefined, string | null>;
  quiet_hours: ColumnType<QuietHours | null, string | null | undefined, string | null>;
}

/** Who is in which group; the server alone changes it. */
export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: Timestamp;
}

/** A user's channels for one notification type; a type without a row is on for both. */
export interface NotificationPreferencesTable {
  user_id: string;
  type: string;
  in_app: boolean;
  offline: boolean;
  push: ColumnType<boolean, boolean | undefined, boolean>;
  email: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: Timestamp;
}

/** One offline delivery (notification x channel): the outbox row and its outcome. */
export interface DeliveriesTable {
  id: ColumnType<string, never, never>;
  notification_id: string;
  user_id: string;
  channel: 'push' | 'email' | 'webhook';
  status: ColumnType<
    'pending' | 'sent' | 'failed' | 'skipped',
    undefined | 'pending',
    'pending' | 'sent' | 'failed' | 'skipped'
  >;
  reason: string | null;
  critical: ColumnType<boolean, boolean | undefined, boolean>;
  attempts: ColumnType<number, number | undefined, number>;
  due_at: Timestamp;
  deadline: Timestamp;
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: string | null;
  created_at: Timestamp;
  /** Emails only: the publisher's `offline.digestKey`. */
  digest_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** Emails only: the digest it waits in. */
  digest_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A batch of one user's due emails with one digest key, sent as one message. */
export interface EmailDigestsTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  digest_key: string;
  status: 'open' | 'closed' | 'sent' | 'skipped' | 'failed';
  item_count: number;
  attempts: number;
  opened_at: Timestamp;
  due_at: Timestamp;
  deadline: Timestamp;
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: string | null;
}

/** An email a server without SMTP_URL kept instead of sending. */
export interface DevMailboxTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  message_id: string;
  unsubscribe_url: string;
  notifications: number;
  raw: string;
  sent_at: Timestamp;
}

/** A browser's push subscription, owned by the user who registered it. */
export interface PushSubscriptionsTable {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  expiration_time: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
}

export interface ServerKeysTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

export interface UserXpTable {
  user_id: string;
  display_name: string | null;
  xp: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface UserAchievementsTable {
  user_id: string;
  achievement_id: string;
  unlocked_at: Timestamp;
}

/** Per user, the time (epoch seconds) at or before which their tokens are refused. */
export interface RevocationsTable {
  user_id: string;
  revoked_before: ColumnType<string, number, number>;
  revoked_at: Timestamp;
}

/** The first successful answer to a request with an `Idempotency-Key`, per caller, route and key. */
export interface IdempotencyKeysTable {
  caller: string;
  route: string;
  key: string;
  /** SHA-256 of the request body's canonical JSON. */
  body_hash: string;
  status: number | null;
  /** The answer's body, as the JSON text first sent. */
  response: string | null;
  created_at: Timestamp;
}

/** A group notification stored chunk by chunk (see GroupPublishesRepository). */
export interface GroupPublishesTable {
  id: string;
  group_id: string;
  /** The last member (in user_id order) of the chunks stored so far; null before the first. */
  last_user_id: string | null;
  chunks: ColumnType<number, number | undefined, number>;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

/** One chunk's notifications, as JSON array elements joined by commas (no brackets): the answer's text. */
export interface GroupPublishChunksTable {
  publish_id: string;
  chunk: number;
  notifications: string;
}

export interface Database {
  notifications: NotificationsTable;
  user_state: UserStateTable;
  user_xp: UserXpTable;
  user_achievements: UserAchievementsTable;
  idempotency_keys: IdempotencyKeysTable;
  revocations: RevocationsTable;
  group_members: GroupMembersTable;
  notification_preferences: NotificationPreferencesTable;
  deliveries: DeliveriesTable;
  push_subscriptions: PushSubscriptionsTable;
  server_keys: ServerKeysTable;
  email_digests: EmailDigestsTable;
  dev_mailbox: DevMailboxTable;
  group_publishes: GroupPublishesTable;
  group_publish_chunks: GroupPublishChunksTable;
}
