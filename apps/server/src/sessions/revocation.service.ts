import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type RevokeSessionsResponse } from '@realtime/contracts';
import { sql } from 'kysely';
import { RevocationList } from '../auth/revocation-list.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isClustered } from '../realtime/realtime-io.adapter.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { type Db, type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';

/** A process that missed a broadcast (e.g. Redis was away) learns revocations from the store this often. */
const POLL_MS = 1000;
const PRUNE_MS = 60 * 60_000;

const REVOKED = {
  code: 'TOKEN_REVOKED',
  message: "this user's sessions were revoked; sign in again",
} as const;

/**
 * `POST /api/sessions/revoke`: stores the revocation, tells every process (their token checks refuse
 * the user's older tokens from then on) and ends the user's sockets everywhere. Processes load the
 * revocations still relevant at start; in a cluster they also read new ones from the store every
 * second, so one that missed the broadcast catches up within the contract's 2 s.
 */
@Injectable()
export class RevocationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Revocations');
  private readonly db: Db;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The latest `revoked_at` read from the store. */
  private seenUpTo = new Date(0);

  constructor(
    @Inject(STORE) store: Store,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly list: RevocationList,
    private readonly ws: WebSocketService,
  ) {
    this.db = store.db;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.load(new Date(Date.now() - this.config.jwtMaxLifetimeSeconds * 1000), false);
    this.timers.push(setInterval(() => this.list.prune(), PRUNE_MS).unref());
    if (!isClustered(this.config)) return;
    this.ws.fromOtherProcesses('sessions:revoked', (userId, revokedBefore) => this.list.add(userId, revokedBefore));
    this.timers.push(
      setInterval(() => {
        this.load(new Date(this.seenUpTo.getTime() - POLL_MS), true).catch((err: unknown) =>
          this.logger.warn(`could not read revocations: ${err instanceof Error ? err.message : String(err)}`),
        );
      }, POLL_MS).unref(),
    );
  }

  onModuleDestroy(): void {
    this.timers.forEach(clearInterval);
  }

  async revoke(userId: string): Promise<RevokeSessionsResponse> {
    const revokedBefore = Math.floor(Date.now() / 1000);
    await this.db
      .insertInto('revocations')
      .values({ user_id: userId, revoked_before: revokedBefore })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          revoked_before: sql`greatest(revocations.revoked_before, excluded.revoked_before)`,
          revoked_at: sql`now()`,
        }),
      )
      .execute();
    this.list.add(userId, revokedBefore);
    this.ws.toOtherProcesses('sessions:revoked', userId, revokedBefore);
    const disconnected = await this.ws.connectionCount(userId).catch(() => 0);
    this.ws.disconnectUser(userId, REVOKED);
    return { userId, revokedBefore, disconnected };
  }

  /** Reads revocations made since `since`; with `enforce`, also ends the local sockets they revoke. */
  private async load(since: Date, enforce: boolean): Promise<void> {
    const rows = await this.db
      .selectFrom('revocations')
      .select(['user_id', 'revoked_before', 'revoked_at'])
      .where('revoked_at', '>', since)
      .execute();
    for (const { user_id: userId, revoked_before, revoked_at } of rows) {
      const revokedBefore = Number(revoked_before);
      if (revoked_at > this.seenUpTo) this.seenUpTo = new Date(revoked_at);
      if (!this.list.add(userId, revokedBefore) || !enforce) continue;
      this.ws.disconnectLocal(userId, REVOKED, (s) => this.list.revokes(s.data));
    }
  }
}
