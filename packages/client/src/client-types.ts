import type {
  ClientAckData,
  ClientEventName,
  ErrorCode,
  ServerToClientEvents,
  ValidationIssue,
} from '@realtime/contracts';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { AppSocket, ConnectionFailure } from './connection.js';
import type { FetchLike, GetToken, HttpClient } from './http-types.js';
import type { NotificationDelivery, ResyncNotice, SyncOptions } from './notification-sync.js';
import type { StorageAdapter } from './storage.js';
import type { UnreadCount } from './unread-count.js';

/**
 * `disconnected` (not started, or stopped by `disconnect()`, or waiting to reconnect), `connecting`,
 * `connected` (catching up), `synced` (caught up: everything up to the server's head was delivered),
 * `failed` (stopped for good; see `failure`).
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'synced' | 'failed';

export interface StateChange {
  from: ConnectionState;
  to: ConnectionState;
  /** A failure code, a handshake refusal code, or socket.io's disconnect reason. */
  reason?: string;
}

/** Every server event of the contract, plus what the SDK adds. */
export type RealtimeEvents = ServerToClientEvents & {
  /** Each notification once per id, live or missed while away (`replayed`). */
  notification: (delivery: NotificationDelivery) => void;
  state: (change: StateChange) => void;
  /** The unread count, only ever moving to a higher version. */
  unreadCount: (count: UnreadCount) => void;
  /** Too much was missed to deliver one by one: refetch the feed. */
  resync: (notice: ResyncNotice) => void;
};

/** Codes an action may fail with: the server's, or no answer in time, or no connection to send it on. */
export type ActionErrorCode = ErrorCode | 'TIMEOUT' | 'NOT_CONNECTED';

export interface ActionError {
  code: ActionErrorCode;
  message: string;
  issues?: ValidationIssue[];
}

/** The acknowledgement of a client event: `{ ok: true, ...data }` or `{ ok: false, error }`. */
export type ActionResult<E extends ClientEventName> =
  ({ ok: true } & ClientAckData<E>) | { ok: false; error: ActionError };

export interface RealtimeClientOptions extends SyncOptions {
  /** The gateway's base URL (HTTP and socket share it), e.g. `https://gateway.example.com`. */
  url: string;
  /** The server's `WS_PATH` (default `/socket.io/`). */
  path?: string;
  getToken: GetToken;
  /** Where the replay position is kept per user (default: in memory; `localStorageAdapter()` in browsers). */
  storage?: StorageAdapter;
  fetch?: FetchLike;
  /** How long `markRead` and the others wait for an acknowledgement (default 5000 ms). */
  ackTimeoutMs?: number;
  /** Passed to socket.io-client (transports, reconnection delays, extraHeaders...); `auth` and `autoConnect` are the SDK's. */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface RealtimeClient {
  readonly state: ConnectionState;
  /** Why the state is `failed`; null otherwise. */
  readonly failure: ConnectionFailure | null;
  /** The signed-in user, once the server said so. */
  readonly userId: string | null;
  readonly unreadCount: UnreadCount | null;
  /** The replay position: every notification up to this `seq` was delivered or is gone. */
  readonly lastSeq: number | null;
  /** A typed client of every HTTP route, with this client's tokens. */
  readonly http: HttpClient;
  /** The underlying socket, for diagnostics; connect and disconnect through the client. */
  readonly socket: AppSocket;
  connect(): void;
  disconnect(): void;
  /** Disconnects, drops every listener and waits for the position to be stored. */
  close(): Promise<void>;
  on<E extends keyof RealtimeEvents>(event: E, listener: RealtimeEvents[E]): () => void;
  markRead(notificationId: string): Promise<ActionResult<'notification:mark_read'>>;
  markAllRead(): Promise<ActionResult<'notification:mark_all_read'>>;
  delete(notificationId: string): Promise<ActionResult<'notification:delete'>>;
}
