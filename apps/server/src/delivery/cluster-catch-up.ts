import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { REDIS, type RedisPair } from '../realtime/redis.module.js';
import { type AppSocket } from '../realtime/socket-types.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { DeliveryService } from './delivery.service.js';

/** Users whose sockets are caught up at once (their state rows are read in one round). */
const USERS_PER_ROUND = 200;

/**
 * Nothing lost while a socket stays connected and Redis goes away: changes published meanwhile by
 * other processes never reached this one (Redis pub/sub keeps nothing). When Redis is back (on this
 * process or, as told, on another), every socket's cursor is given what the store has and it was
 * never sent, as after a reconnect: the notifications, or a resync beyond the replay limit, then the
 * current unread count; and its group rooms are set to the user's groups.
 */
@Injectable()
export class ClusterCatchUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('ClusterCatchUp');
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ws: WebSocketService,
    private readonly delivery: DeliveryService,
    @Optional() @Inject(REDIS) private readonly redis: RedisPair | null = null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    this.ws.fromOtherProcesses('cluster:catch-up', () => this.catchUp());
    this.redis.onRecovered(() => {
      this.ws.toOtherProcesses('cluster:catch-up');
      this.catchUp();
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
    let resent = 0;
    for (let i = 0; i < users.length; i += USERS_PER_ROUND) {
      const round = users.slice(i, i + USERS_PER_ROUND);
      const counts = await Promise.all(round.map((userId) => this.delivery.catchUpUser(userId, byUser.get(userId)!)));
      for (const n of counts) resent += n;
    }
    this.logger.log(`caught up ${byUser.size} users' sockets after losing Redis (${resent} notifications resent)`);
  }
}
