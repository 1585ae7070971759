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

/** The last `seq` handed out per user; its row lock serialises allocation across processes. */
export interface UserSequencesTable {
  user_id: string;
  last_seq: number;
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

export interface Database {
  notifications: NotificationsTable;
  user_sequences: UserSequencesTable;
  user_xp: UserXpTable;
  user_achievements: UserAchievementsTable;
}
