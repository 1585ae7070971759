import { HttpStatus, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientAckData, type Notification, type NotificationPage } from '@realtime/contracts';
import { afterCommit, type AfterCommitStep } from '../common/after-commit.js';
import { ApiError } from '../common/api-error.js';
import { type IdempotencyScope, type Reply } from '../idempotency/idempotency-http.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { releaseSocket, throughGate } from '../realtime/socket-gate.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { type Tx } from '../store/database.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { type UserState } from '../user-state/user-state.js';
import { type Created, type NewNotification, NotificationsRepository } from './notifications.repository.js';
import { ClusterCatchUp } from './cluster-catch-up.js';
import { OFFLINE_CHANNEL, type OfflineChannel } from './offline/offline-channel.js';

/** What a publisher gives: `type` defaults to `info`. */
export type NotificationInput = Partial<Pick<NewNotification, 'type'>> & Omit<NewNotification, 'type'>;

import { REPLAY_LIMIT } from './replay.js';

/** `seq` is a PostgreSQL integer. */
const MAX_SEQ = 2 ** 31 - 1;

/** Notifications as users see them: stored first, then pushed to every device, with exact unread counts. */
@Injectable()
export class NotificationsService implements OnApplicationShutdown {
  private readonly logger = new Logger('NotificationsService');

  constructor(
    private readonly repo: NotificationsRepository,
    private readonly userStates: UserStateRepository,
    private readonly ws: WebSocketService,
    private readonly writes: IdempotentWrites,
    @Inject(OFFLINE_CHANNEL) private readonly offline: OfflineChannel,
    private readonly catchUp: ClusterCatchUp,
  ) {}

  /**
   * `POST /api/notifications`: stores one notification per user and delivers them, at most once per
   * Idempotency-Key (a repeat answers the first answer and delivers nothing).
   */
  async publish(
    scope: IdempotencyScope | undefined,
    userIds: readonly string[],
    input: NotificationInput,
  ): Promise<Reply<{ notifications: Notification[] }>> {
    const outcome = await this.writes.run(scope, HttpStatus.CREATED, async (trx) => {
      const created = await this.store(trx, userIds, input);
      return { body: { notifications: created.notifications }, result: created };
    });
    // Delivered before any other await, so one node's live events leave in `seq` (commit) order.
    if (!outcome.replayed) this.deliver(outcome.result);
    return { status: outcome.status, body: outcome.body, replayed: outcome.replayed };
  }

  /** Stores one notification per user inside the caller's transaction; {@link deliver} them once it commits. */
  store(trx: Tx, userIds: readonly string[], input: NotificationInput): Promise<Created> {
    return this.repo.createIn(trx, userIds, { ...input, type: input.type ?? 'info' });
  }

  /**
   * After COMMIT: `notification:new` then `notification:unread_count` to every device of each user,
   * each emit attempted even if another throws, and offline users handed to the offline channel.
   */
  deliver({ notifications, states, critical }: Created): void {
    this.userStates.committed(states);
    const steps: AfterCommitStep[] = [];
    for (const n of notifications) steps.push([`notification:new to ${n.userId}`, () => this.ws.emitNotification(n)]);
    for (const [userId, state] of states)
      steps.push([`notification:unread_count to ${userId}`, () => this.emitUnreadCount(userId, state)]);
    afterCommit(this.logger, steps);
    void this.handOffline(notifications, critical ?? false);
  }

  /**
   * Gives notifications of users with no socket anywhere to the offline channel, but those whose
   * preferences turn `offline` off for the type (unless critical); never holds up delivery.
   */
  private async handOffline(created: Notification[], critical: boolean): Promise<void> {
    try {
      const online = await this.ws.connectedUsers(created.map((n) => n.userId));
      const away = created.filter((n) => !online.has(n.userId));
      const optedOut = critical || away.length === 0 ? new Set<string>() : await this.repo.offlineOptedOut(away);
      for (const n of away) {
        if (optedOut.has(n.id)) continue;
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
    const [{ items, hasMore }, { unreadCount, version }] = await Promise.all([
      this.repo.page(userId, { limit: q.limit, beforeSeq, unread: q.unread }),
      this.userStates.state(userId),
    ]);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.seq) : null, unreadCount, version };
  }

  async markRead(userId: string, id: string): Promise<ClientAckData<'notification:mark_read'>> {
    const changed = await this.repo.markRead(userId, id);
    if (!changed) throw notFound(id);
    const { value: notificationId, state } = changed;
    this.ws.emit({ userId }, 'notification:read', { notificationId, success: true });
    this.emitUnreadCount(userId, state);
    return { notificationId, unreadCount: state.unreadCount, version: state.version };
  }

  async markAllRead(userId: string): Promise<ClientAckData<'notification:mark_all_read'>> {
    const { value: ids, state } = await this.repo.markAllRead(userId);
    for (const notificationId of ids) this.ws.emit({ userId }, 'notification:read', { notificationId, success: true });
    if (ids.length > 0) this.emitUnreadCount(userId, state);
    return { updated: ids.length, unreadCount: state.unreadCount, version: state.version };
  }

  async delete(userId: string, id: string): Promise<ClientAckData<'notification:delete'>> {
    const changed = await this.repo.delete(userId, id);
    if (!changed) throw notFound(id);
    const { value: notificationId, state } = changed;
    this.ws.emit({ userId }, 'notification:deleted', { notificationId });
    this.emitUnreadCount(userId, state);
    return { notificationId, unreadCount: state.unreadCount, version: state.version };
  }

  private emitUnreadCount(userId: string, { unreadCount, version }: UserState): void {
    this.ws.emit({ userId }, 'notification:unread_count', { unreadCount, version });
  }

  /**
   * Right after `authenticated`: the unread count; then, for a socket that sent `auth.lastSeq`, what
   * it missed (oldest first, `replayed: true`) or a resync past the replay limit; then the live events
   * held meanwhile (see socket-gate.ts), without those the replay already gave; then
   * `notification:synced`. The socket sees `seq` strictly increasing.
   */
  async onConnect(socket: AppSocket): Promise<void> {
    const { userId, resumeFrom } = socket.data;
    let state: UserState;
    let missed: Notification[] = [];
    try {
      state = await this.stateWithGroups(socket);
      if (typeof resumeFrom === 'number' && resumeFrom < state.lastSeq) {
        missed = await this.repo.since(userId, resumeFrom, REPLAY_LIMIT + 1);
      }
    } catch (err) {
      // Without its state the socket cannot be caught up: it is told, and reconnects when it can.
      releaseSocket(socket);
      this.ws.emitToSocket(socket, 'error', { code: 'UNAVAILABLE', message: 'the store did not answer; reconnect' });
      socket.disconnect(true);
      throw err;
    }
    // A client ahead of the store (it was reset, or the client made its position up) is where the store is:
    // the gate must not drop the store's next seqs as already sent.
    let lastSent = typeof resumeFrom === 'number' ? Math.min(resumeFrom, state.lastSeq) : 0;
    throughGate(socket, () => {
      const { unreadCount, version } = state;
      this.ws.emitToSocket(socket, 'notification:unread_count', { unreadCount, version });
      if (resumeFrom === 'invalid') {
        this.ws.emitToSocket(socket, 'error', {
          code: 'VALIDATION_ERROR',
          message: 'auth.lastSeq must be a non-negative integer; nothing was replayed',
        });
      } else if (missed.length > REPLAY_LIMIT) {
        this.ws.emitToSocket(socket, 'notification:resync', { fromSeq: lastSent + 1, toSeq: state.lastSeq });
        lastSent = state.lastSeq;
      } else {
        const timestamp = new Date().toISOString();
        for (const notification of missed) {
          this.ws.emitToSocket(socket, 'notification:new', { notification, timestamp, replayed: true });
          lastSent = notification.seq;
        }
      }
    });
    this.catchUp.handshakeDone(socket, Math.max(state.lastSeq, lastSent));
    const held = releaseSocket(socket, lastSent);
    this.ws.emitToSocket(socket, 'notification:synced', { lastSeq: Math.max(state.lastSeq, lastSent, held) });
  }

  /**
   * The user's state, with the socket put in the rooms of the user's groups. A membership change applied
   * while the state was read is read again, so the socket never stays in a room it was just taken out of.
   */
  private async stateWithGroups(socket: AppSocket): Promise<UserState> {
    for (let attempt = 0; ; attempt++) {
      const epoch = this.ws.membershipEpoch();
      const state = await this.userStates.state(socket.data.userId);
      if (socket.connected) this.ws.setGroups(socket, state.groups);
      if (epoch === this.ws.membershipEpoch() || attempt === 3) return state;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.offline.drain?.();
  }
}

const notFound = (id: string) => new ApiError('NOT_FOUND', `notification ${id} not found`);

const encodeCursor = (seq: number) => Buffer.from(`s:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || Number(match[1]) > MAX_SEQ)
    throw new ApiError('VALIDATION_ERROR', 'invalid cursor', [
      { path: 'cursor', message: 'not a cursor from this API' },
    ]);
  return Number(match[1]);
}
