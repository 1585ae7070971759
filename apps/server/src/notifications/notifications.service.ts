import { HttpStatus, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientAckData, type Notification, type NotificationPage } from '@realtime/contracts';
import { ApiError } from '../common/api-error.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { type NewNotification, NotificationsRepository } from './notifications.repository.js';
import { OFFLINE_CHANNEL, type OfflineChannel } from './offline/offline-channel.js';

/** At most this many missed notifications are replayed on connect; beyond it the client resyncs over HTTP. */
export const REPLAY_LIMIT = 100;

/** `seq` is a PostgreSQL integer. */
const MAX_SEQ = 2 ** 31 - 1;

/** Notifications as users see them: stored first, then pushed to every device, with exact unread counts. */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  private readonly logger = new Logger('NotificationsService');

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly ws: WebSocketService,
    @Inject(OFFLINE_CHANNEL) private readonly offline: OfflineChannel,
  ) {}

  /** Persists one notification per user, emits `notification:new` then `notification:unread_count`, and hands offline users to the offline channel. */
  async notify(
    target: string | readonly string[],
    input: Partial<Pick<NewNotification, 'type'>> & Omit<NewNotification, 'type'>,
  ): Promise<Notification[]> {
    const userIds = typeof target === 'string' ? [target] : target;
    const created = await this.repo.create(userIds, { ...input, type: input.type ?? 'info' });
    // Emitted before any other await, so one node's live events leave in `seq` (commit) order.
    for (const n of created) this.ws.emitNotificationToUser(n.userId, n);
    const counts = await this.repo.unreadCounts(created.map((n) => n.userId));
    for (const [userId, unreadCount] of counts) this.ws.emitUnreadCount(userId, unreadCount);
    void this.handOffline(created);
    return created;
  }

  /** Gives notifications of users with no socket anywhere to the offline channel; never holds up delivery. */
  private async handOffline(created: Notification[]): Promise<void> {
    try {
      const online = await this.ws.connectedUsers(created.map((n) => n.userId));
      for (const n of created) {
        if (online.has(n.userId)) continue;
        this.offline
          .deliver(n)
          .catch((err: unknown) => this.logger.error(`offline channel ${this.offline.name} failed: ${String(err)}`));
      }
    } catch (err) {
      this.logger.warn(
        `presence unknown, offline channel skipped: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  async page(
    userId: string,
    q: { limit: number; cursor?: string | undefined; unread?: boolean | undefined },
  ): Promise<NotificationPage> {
    const beforeSeq = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const [{ items, hasMore }, unreadCount] = await Promise.all([
      this.repo.page(userId, { limit: q.limit, beforeSeq, unread: q.unread }),
      this.repo.unreadCount(userId),
    ]);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.seq) : null, unreadCount };
  }

  async markRead(userId: string, id: string): Promise<ClientAckData<'notification:mark_read'>> {
    const notificationId = await this.repo.markRead(userId, id);
    if (!notificationId) throw notFound(id);
    const unreadCount = await this.repo.unreadCount(userId);
    this.ws.emitToUser(userId, 'notification:read', { notificationId, success: true });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { notificationId, unreadCount };
  }

  async markAllRead(userId: string): Promise<ClientAckData<'notification:mark_all_read'>> {
    const ids = await this.repo.markAllRead(userId);
    const unreadCount = await this.repo.unreadCount(userId);
    for (const notificationId of ids)
      this.ws.emitToUser(userId, 'notification:read', { notificationId, success: true });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { updated: ids.length, unreadCount };
  }

  async delete(userId: string, id: string): Promise<ClientAckData<'notification:delete'>> {
    const notificationId = await this.repo.delete(userId, id);
    if (!notificationId) throw notFound(id);
    const unreadCount = await this.repo.unreadCount(userId);
    this.ws.emitToUser(userId, 'notification:deleted', { notificationId });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { notificationId, unreadCount };
  }

  /**
   * Right after `authenticated`: this socket's unread count, then what it missed since `auth.lastSeq`,
   * oldest first. Both queries run together to keep short the moment in which a live notification
   * can overtake the replay (the client deduplicates by `id`).
   */
  async onConnect(socket: AppSocket): Promise<void> {
    const { userId } = socket.data;
    const after = parseLastSeq((socket.handshake.auth as { lastSeq?: unknown } | undefined)?.lastSeq);
    const [unreadCount, missed] = await Promise.all([
      this.repo.unreadCount(userId),
      typeof after === 'number' ? this.repo.since(userId, after, REPLAY_LIMIT + 1) : [],
    ]);
    this.ws.emitToSocket(socket, 'notification:unread_count', { unreadCount });
    if (after === 'invalid') {
      this.ws.emitToSocket(socket, 'error', {
        code: 'VALIDATION_ERROR',
        message: 'auth.lastSeq must be a non-negative integer; nothing was replayed',
      });
      return;
    }
    if (after === null) return;
    if (missed.length > REPLAY_LIMIT) {
      this.ws.emitToSocket(socket, 'notification:resync', {
        fromSeq: after + 1,
        toSeq: await this.repo.lastSeq(userId),
      });
      return;
    }
    for (const notification of missed) {
      this.ws.emitToSocket(socket, 'notification:new', { notification, timestamp: new Date().toISOString() });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.offline.drain?.();
  }
}

const notFound = (id: string) => new ApiError('NOT_FOUND', `notification ${id} not found`, HttpStatus.NOT_FOUND);

/** `auth.lastSeq` as a seq, null when absent, 'invalid' otherwise. */
function parseLastSeq(raw: unknown): number | null | 'invalid' {
  if (raw === undefined || raw === null) return null;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_SEQ ? n : 'invalid';
}

const encodeCursor = (seq: number) => Buffer.from(`s:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || Number(match[1]) > MAX_SEQ)
    throw new ApiError('VALIDATION_ERROR', 'invalid cursor', HttpStatus.BAD_REQUEST, [
      { path: 'cursor', message: 'not a cursor from this API' },
    ]);
  return Number(match[1]);
}
