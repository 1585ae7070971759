import type { z } from 'zod';
import type { Role } from './auth.js';
import type { ClientAckData, ClientPayload } from './client-events.js';
import type { ErrorCode } from './errors.js';
import type { ClientEventName, ServerEventName } from './events.js';
import type { ServerPayload, validationIssueSchema } from './server-events.js';

/** A failed acknowledgement. */
export interface AckError {
  ok: false;
  error: {
    /** Machine-readable reason. */
    code: ErrorCode;
    /** Human-readable reason. */
    message: string;
    /** The fields that failed, for `VALIDATION_ERROR`. */
    issues?: z.infer<typeof validationIssueSchema>[];
  };
}

/** The answer to an acknowledged client event: `{ ok: true, ...data }` or `{ ok: false, error }`. */
export type AckResponse<T extends object> = ({ ok: true } & T) | AckError;

/** The acknowledgement callback of client event `E`. */
export type AckCallback<E extends ClientEventName> = (response: AckResponse<ClientAckData<E>>) => void;

/** Listeners a client registers: `socket.on('notification:new', (payload) => ...)`. */
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerPayload<E>) => void;
};

/**
 * What a client may emit; the acknowledgement callback goes last. It is typed as required so that
 * `emitWithAck` infers the answer; at run time the server also accepts an emit without one.
 */
export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack: AckCallback<E>) => void;
};

/** Events between the server processes of one cluster (emits themselves travel through the adapter). */
export interface InterServerEvents {
  /** Tokens of `userId` issued at or before `revokedBefore` (epoch seconds) are refused from now on. */
  'sessions:revoked': (userId: string, revokedBefore: number) => void;
  /** A process lost Redis for a while: every process sends its sockets what they may have missed. */
  'cluster:catch-up': () => void;
  /** Group membership changed: every process moves its sockets of those users, then acknowledges. */
  'groups:changed': (change: MembershipChange, ack: (applied: boolean) => void) => void;
  /** Committed changes to users' notifications: every process hands them to its sockets of those users. */
  'delivery:changes': (changes: UserChange[]) => void;
  /**
   * The latest value of a broadcast the server makes by itself (a leaderboard), to every socket
   * (`room` null) or one room's: each process sends it to its own sockets within its budget, and a
   * newer value of the same `key` replaces one not yet sent.
   */
  'broadcast:latest': (key: string, value: LatestBroadcast) => void;
}

/** A value for {@link InterServerEvents} `broadcast:latest`. */
export interface LatestBroadcast {
  room: string | null;
  event: 'leaderboard:updated';
  payload: ServerPayload<'leaderboard:updated'>;
}

/** A user's unread count as of a `version`. */
export type UnreadCount = ServerPayload<'notification:unread_count'>;

/**
 * One committed change to a user's notifications as it travels between processes: the notification
 * (or what was read or deleted) and the user's count after it, together.
 */
export type UserChange =
  | {
      kind: 'new';
      userId: string;
      notification: ServerPayload<'notification:new'>['notification'];
      count: UnreadCount;
      timestamp: string;
    }
  | { kind: 'read'; userId: string; ids: string[]; count: UnreadCount }
  | { kind: 'deleted'; userId: string; id: string; count: UnreadCount };

/** Users who joined (`joined`) or left a group. */
export interface MembershipChange {
  groupId: string;
  userIds: string[];
  joined: boolean;
}

/** Who a valid token speaks for: what the server knows of a caller, over HTTP and on a socket. */
export interface Principal {
  /** The token's `sub`. */
  userId: string;
  /** The token's `email`, or null. */
  email: string | null;
  /** The token's `name`, or null. */
  name: string | null;
  /** The token's role. */
  role: Role;
  /** When the current token expires, ms since the epoch. */
  expiresAt: number;
  /** The current token's `iat`, seconds since the epoch; null when it has none. */
  issuedAt: number | null;
}

/** What the server keeps on each socket (its principal, and where its replay starts); plain data so the Redis adapter can serialise it. */
export interface SocketData extends Principal {
  /** The handshake's `auth.lastSeq`: replay what came after it; null: nothing to replay; 'invalid': not a seq. */
  resumeFrom: number | null | 'invalid';
}
