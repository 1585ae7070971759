import {
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
  StreamableFile,
} from '@nestjs/common';
import { type Notification } from '@realtime/contracts';
import { Readable } from 'node:stream';
import { assertFanout } from '../common/fanout.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { type IdempotencyScope, type Reply } from '../idempotency/idempotency-http.js';
import { IdempotentWrites, type Outcome } from '../idempotency/idempotent-writes.js';
import { type Created } from '../notifications/notifications.repository.js';
import { type NotificationInput, NotificationsService } from '../notifications/notifications.service.js';
import { GroupPublishesRepository } from './group-publishes.repository.js';
import { GroupsRepository } from './groups.repository.js';

/** The 201 of a group notification: the notifications, or (past one chunk) their JSON streamed from the store. */
export type GroupAnswer = { notifications: Notification[] } | StreamableFile;

/** What the Idempotency-Key of a group notification remembers: the answer (one chunk), or the chunked publish. */
type Remembered = { notifications: Notification[] } | { groupPublish: string };

const PURGE_EVERY_MS = 60 * 60_000;

/**
 * `POST /api/notifications` to a group. A group of at most one chunk (GROUP_PUBLISH_CHUNK_SIZE members)
 * is stored in one transaction, as a list of users is. A larger one is stored one chunk per transaction,
 * in user_id order, each chunk delivered live once committed, so memory holds one chunk whatever the
 * group's size; the 201 comes once every chunk is stored, its body streamed from the store. The publish
 * is what its Idempotency-Key remembers from the start: a retry after a failure midway resumes after
 * the last chunk stored (nobody twice, nobody skipped), a retry after the 201 replays the answer.
 */
@Injectable()
export class GroupPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('GroupPublisher');
  private readonly chunkSize: number;
  private readonly maxFanoutBytes: number;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groups: GroupsRepository,
    private readonly publishes: GroupPublishesRepository,
    private readonly notifications: NotificationsService,
    private readonly writes: IdempotentWrites,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.chunkSize = config.limits.groupPublishChunkSize;
    this.maxFanoutBytes = config.limits.maxFanoutBytes;
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /**
   * Stores one notification per member and delivers them, at most once per Idempotency-Key. `bodyBytes`
   * is the request body's size, which bounds the payload's (see assertFanout).
   */
  async publish(
    scope: IdempotencyScope | undefined,
    groupId: string,
    input: NotificationInput,
    bodyBytes: number,
  ): Promise<Reply<GroupAnswer>> {
    // One more than a chunk tells a small group (the common case: one query, as before) from a large one.
    const members = await this.groups.members(groupId, this.chunkSize + 1);
    if (members.length <= this.chunkSize) {
      assertFanout(input, members.length, this.maxFanoutBytes, bodyBytes);
      const outcome = await this.writes.run<Remembered, Created>(scope, HttpStatus.CREATED, async (trx) => {
        const created = await this.notifications.store(trx, members, input);
        return { body: { notifications: created.notifications }, result: created };
      });
      // Delivered before any other await, so one node's live events leave in `seq` (commit) order.
      if (!outcome.replayed) this.notifications.deliver(outcome.result);
      return this.settle(outcome, input);
    }
    assertFanout(input, await this.groups.count(groupId), this.maxFanoutBytes, bodyBytes);
    const outcome = await this.writes.run<Remembered, string>(scope, HttpStatus.CREATED, async (trx) => {
      const groupPublish = await this.publishes.begin(trx, groupId);
      return { body: { groupPublish }, result: groupPublish };
    });
    return outcome.replayed
      ? this.settle(outcome, input)
      : this.complete(outcome.result, input, { replayed: false, forget: scope === undefined });
  }

  /**
   * The answer to a key's first request or its replay. The key may remember a chunked publish even when
   * the group is small now (and the other way round): what it remembers decides, not today's size.
   */
  private settle(outcome: Outcome<Remembered, unknown>, input: NotificationInput): Promise<Reply<GroupAnswer>> {
    const { status, body, replayed } = outcome;
    if ('groupPublish' in body) return this.complete(body.groupPublish, input, { replayed, forget: false });
    return Promise.resolve({ status, body, replayed });
  }

  /**
   * Stores the chunks not stored yet, each delivered once committed, then answers with every chunk's
   * notifications. A publish no key can ask for again is forgotten once answered.
   */
  private async complete(
    id: string,
    input: NotificationInput,
    { replayed, forget }: { replayed: boolean; forget: boolean },
  ): Promise<Reply<GroupAnswer>> {
    let stored = 0;
    for (let done = false; !done;) {
      const chunk = await this.publishes.nextChunk(id, this.chunkSize, (trx, userIds) =>
        this.notifications.store(trx, userIds, input),
      );
      if (!chunk) break;
      stored++;
      done = chunk.done;
      this.notifications.deliver(chunk.created);
    }
    const text = this.publishes.answer(id);
    const stream = Readable.from(forget ? this.forgetAfter(id, text) : text);
    return {
      status: HttpStatus.CREATED,
      body: new StreamableFile(stream, { type: 'application/json; charset=utf-8' }),
      // Only what this request stored itself makes it more than a replay.
      replayed: replayed && stored === 0,
    };
  }

  private async *forgetAfter(id: string, text: AsyncGenerator<string>): AsyncGenerator<string> {
    try {
      yield* text;
    } finally {
      await this.publishes.forget(id).catch((err: unknown) => {
        this.logger.warn(`group publish ${id} not dropped: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }

  private async purge(): Promise<void> {
    try {
      const n = await this.publishes.purgeExpired();
      if (n > 0) this.logger.log(`dropped ${n} expired group publishes`);
    } catch (err) {
      this.logger.warn(`expired group publishes not dropped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
