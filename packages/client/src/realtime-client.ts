import {
  type ClientEventName,
  type ClientPayload,
  type ServerEventName,
  serverEventNames,
  type ServerPayload,
} from '@realtime/contracts';
import type {
  ActionResult,
  ConnectionState,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeEvents,
} from './client-types.js';
import { type AppSocket, Connection, type ConnectionFailure } from './connection.js';
import { Emitter } from './emitter.js';
import { createHttpClient } from './http-client.js';
import type { HttpClient } from './http-types.js';
import { NotificationSync } from './notification-sync.js';
import { memoryStorage, PositionStore } from './storage.js';
import { type UnreadCount, UnreadCounter } from './unread-count.js';

type Acked = Exclude<ClientEventName, 'auth:refresh'>;
// socket.io types emitWithAck by a conditional on the event name, which TypeScript cannot resolve for a generic E.
type UntypedEmit = { emitWithAck(event: string, payload: unknown): Promise<unknown> };

const knownEvents: ReadonlySet<string> = new Set(serverEventNames);
// Gaps are filled with the largest page the feed serves.
const FILL_PAGE_SIZE = 100;

class Client implements RealtimeClient {
  readonly http: HttpClient;
  private readonly emitter = new Emitter<RealtimeEvents>();
  private readonly counter = new UnreadCounter();
  private readonly sync: NotificationSync;
  private readonly connection: Connection;
  private readonly ackTimeoutMs: number;
  private current: ConnectionState = 'disconnected';
  private user: string | null = null;

  constructor(options: RealtimeClientOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.http = createHttpClient({
      url: options.url,
      getToken: options.getToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onAnswer: (route, status, body) => {
        if (route === 'listNotifications' && status === 200) this.applyCount(body as UnreadCount);
      },
    });
    this.sync = new NotificationSync(
      {
        positions: new PositionStore(options.storage ?? memoryStorage()),
        fetchPage: async (cursor) => {
          const res = await this.http.listNotifications({
            query: { limit: FILL_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
          });
          return res.ok ? res.body : null;
        },
        deliver: (delivery) => this.emitter.emit('notification', delivery),
        resync: (notice) => this.emitter.emit('resync', notice),
        userChanged: () => this.counter.reset(),
        changed: () => this.updateState(),
      },
      options,
    );
    this.connection = new Connection(
      {
        url: options.url,
        path: options.path ?? '/socket.io/',
        getToken: options.getToken,
        ackTimeoutMs: this.ackTimeoutMs,
        socketOptions: options.socket ?? {},
      },
      {
        handshake: (token) => this.sync.begin(token?.sub ?? null),
        phaseChanged: (reason) => this.updateState(reason),
        disconnected: () => this.sync.onDisconnect(),
      },
    );
    // One entry point for every server event, ahead of any listener: the SDK's bookkeeping first, then the app's.
    this.connection.socket.onAny((event: string, payload: unknown) => {
      if (knownEvents.has(event)) this.dispatch(event as ServerEventName, payload);
    });
  }

  get state(): ConnectionState {
    return this.current;
  }
  get failure(): ConnectionFailure | null {
    return this.connection.failure;
  }
  get userId(): string | null {
    return this.user;
  }
  get unreadCount(): UnreadCount | null {
    return this.counter.value;
  }
  get lastSeq(): number | null {
    return this.sync.position;
  }
  get socket(): AppSocket {
    return this.connection.socket;
  }

  connect(): void {
    this.connection.connect();
  }

  disconnect(): void {
    this.connection.disconnect();
  }

  async close(): Promise<void> {
    this.connection.disconnect();
    this.sync.close();
    this.connection.socket.offAny();
    this.emitter.clear();
    await this.sync.flush();
  }

  on<E extends keyof RealtimeEvents>(event: E, listener: RealtimeEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  markRead(notificationId: string) {
    return this.act('notification:mark_read', { notificationId });
  }

  markAllRead() {
    return this.act('notification:mark_all_read', {});
  }

  delete(notificationId: string) {
    return this.act('notification:delete', { notificationId });
  }

  private async act<E extends Acked>(event: E, payload: ClientPayload<E>): Promise<ActionResult<E>> {
    const socket = this.connection.socket;
    if (!socket.connected)
      return { ok: false, error: { code: 'NOT_CONNECTED', message: 'the socket is not connected' } };
    let res: ActionResult<E>;
    try {
      res = (await (socket.timeout(this.ackTimeoutMs) as unknown as UntypedEmit).emitWithAck(
        event,
        payload,
      )) as ActionResult<E>;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: `no acknowledgement within ${this.ackTimeoutMs} ms` } };
    }
    if (res.ok) this.applyCount(res);
    return res;
  }

  private dispatch(event: ServerEventName, payload: unknown): void {
    switch (event) {
      case 'authenticated':
        this.user = (payload as ServerPayload<'authenticated'>).userId;
        this.sync.authenticated(this.user);
        break;
      case 'error':
        this.connection.serverError(payload as ServerPayload<'error'>);
        break;
      case 'notification:new':
        this.sync.onNew(payload as ServerPayload<'notification:new'>);
        break;
      case 'notification:resync':
        this.sync.onResync(payload as ServerPayload<'notification:resync'>);
        break;
      case 'notification:synced':
        this.sync.onSynced(payload as ServerPayload<'notification:synced'>);
        break;
      case 'notification:unread_count':
        this.applyCount(payload as ServerPayload<'notification:unread_count'>);
        break;
    }
    this.emitter.emit(event, payload as never);
    this.updateState();
  }

  private applyCount({ unreadCount, version }: UnreadCount): void {
    if (this.counter.apply({ unreadCount, version })) this.emitter.emit('unreadCount', { unreadCount, version });
  }

  private updateState(reason?: string): void {
    const phase = this.connection.phase;
    const next: ConnectionState = phase === 'online' ? (this.sync.caughtUp ? 'synced' : 'connected') : phase;
    if (next === this.current) return;
    const from = this.current;
    this.current = next;
    this.emitter.emit('state', reason === undefined ? { from, to: next } : { from, to: next, reason });
  }
}

/** The realtime client: one socket per user session, kept authenticated, caught up and deduplicated. */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  return new Client(options);
}
