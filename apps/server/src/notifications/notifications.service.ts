import { HttpStatus, Injectable } from '@nestjs/common';
import { type ClientAckData, type Notification, type NotificationPage, type OfflineOptions } from '@realtime/contracts';
import { ApiError } from '../common/api-error.js';
import { type IdempotencyScope, type Reply } from '../idempotency/idempotency-http.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { type Tx } from '../store/database.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { type UserState } from '../user-state/user-state.js';
import { type Created, type NewNotification, NotificationsRepository } from './notifications.repository.js';
import { DeliveryWorker } from '../offline/delivery-worker.js';
import { OfflinePlanner } from '../offline/offline-plan.js';

/** What a publisher gives: `type` defaults to `info`; `offline` chooses the offline channels and delay. */
export type NotificationInput = Partial<Pick<NewNotification, 'type'>> &
  Omit<NewNotification, 'type' | 'offline'> & { offline?: OfflineOptions | undefined };

/** `seq` is a PostgreSQL integer. */
const MAX_SEQ = 2 ** 31 - 1;

/** Notifications as users see them: stored first, then pushed to every device, with exact unread counts. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly repo: NotificationsRepository,
    private readonly userStates: UserStateRepository,
    private readonly delivery: DeliveryService,
    private readonly writes: IdempotentWrites,
    private readonly planner: OfflinePlanner,
    private readonly worker: DeliveryWorker,
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
    const { offline, ...rest } = input;
    const type = input.type ?? 'info';
    const plan = this.planner.plan(offline, input.critical ?? false, type);
    return this.repo.createIn(trx, userIds, { ...rest, type, offline: plan });
  }

  /**
   * After COMMIT: each notification and its user's count after it, to every device of the user (one
   * change each; see DeliveryService); the offline worker is told deliveries may be due.
   */
  deliver({ notifications, states, offline }: Created): void {
    this.userStates.committed(states);
    const timestamp = new Date().toISOString();
    this.delivery.deliver(
      notifications.map((notification) => {
        const { unreadCount, version } = states.get(notification.userId)!;
        return { kind: 'new', userId: notification.userId, notification, count: { unreadCount, version }, timestamp };
      }),
    );
    if (offline) this.worker.wake();
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
    this.delivery.deliver([{ kind: 'read', userId, ids: [notificationId], count: countOf(state) }]);
    return { notificationId, unreadCount: state.unreadCount, version: state.version };
  }

  async markAllRead(userId: string): Promise<ClientAckData<'notification:mark_all_read'>> {
    const { value: ids, state } = await this.repo.markAllRead(userId);
    if (ids.length > 0) this.delivery.deliver([{ kind: 'read', userId, ids, count: countOf(state) }]);
    return { updated: ids.length, unreadCount: state.unreadCount, version: state.version };
  }

  async delete(userId: string, id: string): Promise<ClientAckData<'notification:delete'>> {
    const changed = await this.repo.delete(userId, id);
    if (!changed) throw notFound(id);
    const { value: notificationId, state } = changed;
    this.delivery.deliver([{ kind: 'deleted', userId, id: notificationId, count: countOf(state) }]);
    return { notificationId, unreadCount: state.unreadCount, version: state.version };
  }
}

const countOf = ({ unreadCount, version }: UserState) => ({ unreadCount, version });

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
