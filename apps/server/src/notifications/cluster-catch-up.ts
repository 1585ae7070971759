import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { REDIS, type RedisPair } from '../realtime/redis.module.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { NotificationsRepository } from './notifications.repository.js';
import { REPLAY_LIMIT } from './notifications.service.js';

/** Users whose sockets are caught up at once (their state rows are read in one query). */
const USERS_PER_ROUND = 200;

/**
 * Nothing lost while a socket stays connected and Redis goes away: emits published meanwhile by
 * other processes never reached this one (Redis pub/sub keeps nothing). Each socket's highest `seq`
 * sent is tracked; when Redis is back (on this process or, as told, on another), every socket gets
 * what it is missing from the store, as after a reconnect: the notifications, or a resync beyond the
 * replay limit, then the current unread count.
 */
@Injectable()
export class ClusterCatchUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClusterCatchUp');
  /** The highest `seq` each socket was sent; absent when it is not known (no `lastSeq`, nothing sent yet). */
  private readonly sent = new WeakMap<AppSocket, number>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ws: WebSocketService,
    private readonly repo: NotificationsRepository,
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

  private track(socket: AppSocket): void {
    const { resumeFrom } = socket.data;
    if (typeof resumeFrom === 'number') this.sent.set(socket, resumeFrom);
    socket.onAnyOutgoing((event: string, payload: { notification?: { seq: number }; toSeq?: number }) => {
      const seq =
        event === 'notification:new'
          ? payload.notification?.seq
          : event === 'notification:resync'
            ? payload.toSeq
            : undefined;
      if (seq !== undefined && seq > (this.sent.get(socket) ?? -1)) this.sent.set(socket, seq);
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
    const state = await this.repo.state(userId);
    const known = sockets.map((s) => this.sent.get(s)).filter((n): n is number => n !== undefined);
    const from = Math.min(state.lastSeq, ...known);
    const missed = from < state.lastSeq ? await this.repo.since(userId, from, REPLAY_LIMIT + 1) : [];
    let resent = 0;
    for (const socket of sockets) {
      const after = this.sent.get(socket);
      // A socket whose position is unknown, or that missed more than a replay holds, refetches its feed.
      if (after === undefined ? state.lastSeq > 0 : after < state.lastSeq && missed.length > REPLAY_LIMIT) {
        this.ws.emitToSocket(socket, 'notification:resync', { fromSeq: (after ?? 0) + 1, toSeq: state.lastSeq });
      } else if (after !== undefined) {
        for (const notification of missed) {
          if (notification.seq <= after) continue;
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
