import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { REDIS, type RedisPair } from '../realtime/redis.module.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { NotificationsRepository } from './notifications.repository.js';
import { REPLAY_LIMIT } from './replay.js';

/**
 * What one socket was sent: every `seq` up to `upTo`, and those in `above`. A gap is not closed by a
 * later `seq` (live emits come back before the catch-up runs), only by filling it.
 */
export class SentPosition {
  private readonly above = new Set<number>();
  constructor(public upTo: number) {}

  /** Whether the socket was sent this `seq`. */
  has(seq: number): boolean {
    return seq <= this.upTo || this.above.has(seq);
  }

  /** One notification was sent. */
  sent(seq: number): void {
    if (seq <= this.upTo) return;
    if (seq > this.upTo + 1) {
      this.above.add(seq);
      // A gap no catch-up came to fill (an emit that failed) is given up on, not tracked forever.
      if (this.above.size > REPLAY_LIMIT) this.sentUpTo(Math.max(...this.above));
      return;
    }
    this.upTo = seq;
    while (this.above.delete(this.upTo + 1)) this.upTo++;
  }

  /** The socket was told of everything up to `seq` (a resync, the end of a replay). */
  sentUpTo(seq: number): void {
    if (seq <= this.upTo) return;
    this.upTo = seq;
    for (const n of this.above) if (n <= seq) this.above.delete(n);
    while (this.above.delete(this.upTo + 1)) this.upTo++;
  }
}

/** Users whose sockets are caught up at once (their state rows are read in one query). */
const USERS_PER_ROUND = 200;

/**
 * Nothing lost while a socket stays connected and Redis goes away: emits published meanwhile by
 * other processes never reached this one (Redis pub/sub keeps nothing). What each socket was sent is
 * tracked (see {@link handshakeDone}); when Redis is back (on this process or, as told, on another),
 * every socket gets what it is missing from the store, as after a reconnect: the notifications, or a
 * resync beyond the replay limit, then the current unread count; and its group rooms are set to the
 * user's groups.
 */
@Injectable()
export class ClusterCatchUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClusterCatchUp');
  /** What each socket was sent; absent until its handshake is over. */
  private readonly sent = new WeakMap<AppSocket, SentPosition>();
  /** The live notifications a socket was sent before its handshake was over. */
  private readonly early = new WeakMap<AppSocket, number[]>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ws: WebSocketService,
    private readonly repo: NotificationsRepository,
    private readonly userStates: UserStateRepository,
    @Optional() @Inject(REDIS) private readonly redis: RedisPair | null = null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    this.ws.onConnection((socket) => this.track(socket));
    this.ws.fromOtherProcesses('cluster:catch-up', () => this.catchUp());
    this.redis.onRecovered(() => {
      this.ws.toOtherProcesses('cluster:catch-up');
      this.catchUp();
    });
  }

  /**
   * The handshake is over and `socket` has everything up to `caughtUpTo` (what it resumed from, then
   * the replay or resync up to the state it read). Live notifications sent to it meanwhile count on
   * their own: one above a `seq` published elsewhere while Redis was away must not make that one
   * look sent (`notification:synced` names the highest, so it cannot say where the socket stands).
   */
  handshakeDone(socket: AppSocket, caughtUpTo: number): void {
    if (!this.redis) return;
    const position = new SentPosition(caughtUpTo);
    for (const seq of this.early.get(socket) ?? []) position.sent(seq);
    this.early.delete(socket);
    this.sent.set(socket, position);
  }

  private track(socket: AppSocket): void {
    socket.onAnyOutgoing((event: string, payload: { notification?: { seq: number }; toSeq?: number }) => {
      const position = this.sent.get(socket);
      if (event === 'notification:new' && payload.notification) {
        const { seq } = payload.notification;
        if (position) position.sent(seq);
        else {
          const early = this.early.get(socket);
          if (early) early.push(seq);
          else this.early.set(socket, [seq]);
        }
      } else if (event === 'notification:resync' && payload.toSeq !== undefined) {
        // A resync tells the device everything up to there (the handshake's own is in `caughtUpTo`).
        position?.sentUpTo(payload.toSeq);
      }
    });
  }

  /** Runs a catch-up of every local socket; one asked for while one runs follows it. */
  catchUp(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run()
      .catch((err: unknown) =>
        this.logger.error(`catch-up failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.catchUp();
        }
      });
  }

  private async run(): Promise<void> {
    const byUser = new Map<string, AppSocket[]>();
    for (const socket of this.ws.localSockets()) {
      const list = byUser.get(socket.data.userId);
      if (list) list.push(socket);
      else byUser.set(socket.data.userId, [socket]);
    }
    const users = [...byUser.keys()];
    let sentCount = 0;
    for (let i = 0; i < users.length; i += USERS_PER_ROUND) {
      const round = users.slice(i, i + USERS_PER_ROUND);
      await Promise.all(
        round.map(async (userId) => {
          sentCount += await this.catchUpUser(
            userId,
            byUser.get(userId)!.filter((s) => s.connected),
          );
        }),
      );
    }
    this.logger.log(`caught up ${byUser.size} users' sockets after losing Redis (${sentCount} notifications resent)`);
  }

  private async catchUpUser(userId: string, sockets: AppSocket[]): Promise<number> {
    const state = await this.userStates.state(userId);
    const known = sockets.map((s) => this.sent.get(s)?.upTo).filter((n): n is number => n !== undefined);
    const from = Math.min(state.lastSeq, ...known);
    const missed = from < state.lastSeq ? await this.repo.since(userId, from, REPLAY_LIMIT + 1) : [];
    let resent = 0;
    for (const socket of sockets) {
      // Membership changes told while Redis was away are set right from the store.
      this.ws.setGroups(socket, state.groups);
      const position = this.sent.get(socket);
      const upTo = position?.upTo;
      // A socket whose position is unknown, or that missed more than a replay holds, refetches its feed.
      if (upTo === undefined ? state.lastSeq > 0 : upTo < state.lastSeq && missed.length > REPLAY_LIMIT) {
        this.ws.emitToSocket(socket, 'notification:resync', { fromSeq: (upTo ?? 0) + 1, toSeq: state.lastSeq });
      } else if (position) {
        for (const notification of missed) {
          if (position.has(notification.seq)) continue;
          this.ws.emitToSocket(socket, 'notification:new', { notification, timestamp: new Date().toISOString() });
          resent++;
        }
      }
      const { unreadCount, version } = state;
      this.ws.emitToSocket(socket, 'notification:unread_count', { unreadCount, version });
    }
    return resent;
  }
}
