import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/** Versioned migrations, applied in name order at start-up; never edit one that has shipped, add the next. */
const migrations: Record<string, Migration> = {
  '0001_notifications': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table user_sequences (
          user_id text primary key,
          last_seq integer not null
        )`.execute(db);
      await sql`
        create table notifications (
          id uuid primary key,
          user_id text not null,
          seq integer not null check (seq > 0),
          type text not null,
          title text not null,
          message text not null,
          data jsonb,
          read_at timestamptz,
          created_at timestamptz not null default now(),
          constraint notifications_user_seq_key unique (user_id, seq)
        )`.execute(db);
      // The feed pages by (user_id, seq desc) through the unique index; unread counts use this partial one.
      await sql`create index notifications_unread_idx on notifications (user_id, seq) where read_at is null`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table notifications`.execute(db);
      await sql`drop table user_sequences`.execute(db);
    },
  },
  '0002_gamification': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table user_xp (
          user_id text primary key,
          display_name text,
          xp integer not null default 0 check (xp >= 0),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index user_xp_leaderboard_idx on user_xp (xp desc, updated_at, user_id)`.execute(db);
      await sql`
        create table user_achievements (
          user_id text not null,
          achievement_id text not null,
          unlocked_at timestamptz not null default now(),
          primary key (user_id, achievement_id)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table user_achievements`.execute(db);
      await sql`drop table user_xp`.execute(db);
    },
  },
  '0003_user_state': {
    async up(db: Kysely<unknown>) {
      // One row per user, changed in the same transaction as each change to their notifications: the
      // handshake reads the unread count and its version from it with one primary-key lookup.
      await sql`alter table user_sequences rename to user_state`.execute(db);
      await sql`
        alter table user_state
          add column unread_count integer not null default 0 check (unread_count >= 0),
          add column version integer not null default 0`.execute(db);
      await sql`
        update user_state s set
          unread_count = (select count(*) from notifications n where n.user_id = s.user_id and n.read_at is null),
          version = s.last_seq`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`alter table user_state drop column unread_count, drop column version`.execute(db);
      await sql`alter table user_state rename to user_sequences`.execute(db);
    },
  },
  '0004_idempotency': {
    async up(db: Kysely<unknown>) {
      // The first 2xx answer to a publish with an Idempotency-Key, written in the transaction of the
      // write it protects. status and response are null only inside that transaction.
      await sql`
        create table idempotency_keys (
          caller text not null,
          route text not null,
          key text not null,
          body_hash text not null,
          status integer,
          response text,
          created_at timestamptz not null default now(),
          primary key (caller, route, key)
        )`.execute(db);
      await sql`create index idempotency_keys_created_at_idx on idempotency_keys (created_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table idempotency_keys`.execute(db);
    },
  },
  '0005_revocations': {
    async up(db: Kysely<unknown>) {
      // POST /api/sessions/revoke: tokens of the user issued at or before revoked_before (epoch s) are refused.
      await sql`
        create table revocations (
          user_id text primary key,
          revoked_before bigint not null,
          revoked_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index revocations_revoked_at_idx on revocations (revoked_at)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table revocations`.execute(db);
    },
  },
  '0006_groups_preferences': {
    async up(db: Kysely<unknown>) {
      // Group membership, owned by the server. A group's members by its key; a user's groups by user_id.
      await sql`
        create table group_members (
          group_id text not null,
          user_id text not null,
          added_at timestamptz not null default now(),
          primary key (group_id, user_id)
        )`.execute(db);
      await sql`create index group_members_user_idx on group_members (user_id)`.execute(db);
      // The user's groups again on their state row, changed in the same transaction as group_members:
      // the handshake's one read gives the rooms to join as well as the unread count.
      await sql`alter table user_state add column groups text[] not null default '{}'`.execute(db);
      // Per user and notification type; a type without a row is on for both channels.
      await sql`
        create table notification_preferences (
          user_id text not null,
          type text not null,
          in_app boolean not null,
          offline boolean not null,
          updated_at timestamptz not null default now(),
          primary key (user_id, type)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table notification_preferences`.execute(db);
      await sql`alter table user_state drop column groups`.execute(db);
      await sql`drop table group_members`.execute(db);
    },
  },
  '0007_offline_delivery': {
    async up(db: Kysely<unknown>) {
      // The outbox: one row per notification and offline channel, written in the notification's own
      // transaction; the worker of any process claims the due ones (see offline/outbox.repository.ts).
      await sql`
        create table deliveries (
          id bigint generated always as identity primary key,
          notification_id uuid not null,
          user_id text not null,
          channel text not null,
          status text not null default 'pending',
          reason text,
          critical boolean not null default false,
          attempts integer not null default 0,
          due_at timestamptz not null,
          deadline timestamptz not null,
          locked_until timestamptz,
          sent_at timestamptz,
          last_error text,
          created_at timestamptz not null default now(),
          unique (notification_id, channel)
        )`.execute(db);
      await sql`create index deliveries_due_idx on deliveries (due_at) where status = 'pending'`.execute(db);
      await sql`
        create table push_subscriptions (
          endpoint text primary key,
          user_id text not null,
          p256dh text not null,
          auth text not null,
          expiration_time timestamptz,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index push_subscriptions_user_idx on push_subscriptions (user_id)`.execute(db);
      // Keys the server made for itself (the development VAPID pair), shared by every process of the store.
      await sql`
        create table server_keys (
          name text primary key,
          value text not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`
        alter table notification_preferences
          add column push boolean not null default true,
          add column email boolean not null default true`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`alter table notification_preferences drop column push, drop column email`.execute(db);
      await sql`drop table server_keys`.execute(db);
      await sql`drop table push_subscriptions`.execute(db);
      await sql`drop table deliveries`.execute(db);
    },
  },
  '0008_email': {
    async up(db: Kysely<unknown>) {
      // Kept with the user state, so the publishing statement knows who has an address without a lookup:
      // the `email` claim of their latest token (and its `iat`), the address a service set, quiet hours.
      await sql`
        alter table user_state
          add column email_claim text,
          add column email_claim_iat bigint,
          add column email_set text,
          add column quiet_hours jsonb`.execute(db);
      // An email delivery waiting in a digest is pending with the digest's id; the claim of single
      // deliveries skips it, the digest is claimed instead.
      await sql`alter table deliveries add column digest_key text, add column digest_id bigint`.execute(db);
      await sql`drop index deliveries_due_idx`.execute(db);
      await sql`
        create index deliveries_due_idx on deliveries (due_at) where status = 'pending' and digest_id is null`.execute(
        db,
      );
      await sql`create index deliveries_digest_idx on deliveries (digest_id) where digest_id is not null`.execute(db);
      // One row per digest: 'open' takes items until due_at (its window's end, or at once when full),
      // 'closed' once claimed (it takes no more; a retry keeps it closed), then sent, skipped or failed.
      await sql`
        create table email_digests (
          id bigint generated always as identity primary key,
          user_id text not null,
          digest_key text not null,
          status text not null default 'open',
          item_count integer not null default 0,
          attempts integer not null default 0,
          opened_at timestamptz not null default now(),
          due_at timestamptz not null,
          deadline timestamptz not null,
          locked_until timestamptz,
          sent_at timestamptz,
          last_error text
        )`.execute(db);
      // At most one open digest per user and key: items join it with INSERT ... ON CONFLICT.
      await sql`
        create unique index email_digests_open_key on email_digests (user_id, digest_key) where status = 'open'`.execute(
        db,
      );
      await sql`
        create index email_digests_due_idx on email_digests (due_at) where status in ('open', 'closed')`.execute(db);
      // The development mailbox: what a server without SMTP_URL would have sent, as sent.
      await sql`
        create table dev_mailbox (
          id bigint generated always as identity primary key,
          user_id text not null,
          to_address text not null,
          from_address text not null,
          subject text not null,
          text_body text not null,
          html_body text not null,
          message_id text not null,
          unsubscribe_url text not null,
          notifications integer not null,
          raw text not null,
          sent_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index dev_mailbox_user_idx on dev_mailbox (user_id, id)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table dev_mailbox`.execute(db);
      await sql`drop table email_digests`.execute(db);
      await sql`drop index deliveries_digest_idx`.execute(db);
      await sql`drop index deliveries_due_idx`.execute(db);
      await sql`alter table deliveries drop column digest_key, drop column digest_id`.execute(db);
      await sql`create index deliveries_due_idx on deliveries (due_at) where status = 'pending'`.execute(db);
      await sql`
        alter table user_state
          drop column email_claim, drop column email_claim_iat, drop column email_set, drop column quiet_hours`.execute(
        db,
      );
    },
  },
  '0009_group_publishes': {
    async up(db: Kysely<unknown>) {
      // A group notification larger than one chunk: stored chunk by chunk (members in user_id order),
      // each chunk's transaction moving `last_user_id` on, so a retry of its Idempotency-Key resumes
      // after the last member done. Each chunk keeps the notifications it stored as the answer lists them.
      await sql`
        create table group_publishes (
          id uuid primary key,
          group_id text not null,
          last_user_id text,
          chunks integer not null default 0,
          done boolean not null default false,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index group_publishes_created_at_idx on group_publishes (created_at)`.execute(db);
      await sql`
        create table group_publish_chunks (
          publish_id uuid not null references group_publishes (id) on delete cascade,
          chunk integer not null,
          notifications text not null,
          primary key (publish_id, chunk)
        )`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table group_publish_chunks`.execute(db);
      await sql`drop table group_publishes`.execute(db);
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
