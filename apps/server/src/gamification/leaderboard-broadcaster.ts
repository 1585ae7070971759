import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type LeaderboardEntry } from '@realtime/contracts';
import { WebSocketService } from '../realtime/websocket.service.js';
import { GamificationRepository } from './gamification.repository.js';

export const LEADERBOARD_SIZE = 10;
/** A burst of XP changes within this window sends one `leaderboard:updated`, not one per change. */
export const LEADERBOARD_WINDOW_MS = 250;

/** Coalesces leaderboard changes: at most one broadcast per window, and none when the top did not change. */
@Injectable()
export class LeaderboardBroadcaster implements OnModuleDestroy {
  private readonly logger = new Logger('LeaderboardBroadcaster');
  private timer: NodeJS.Timeout | undefined;
  private lastSent = '';

  constructor(
    private readonly repo: GamificationRepository,
    private readonly ws: WebSocketService,
  ) {}

  /** Something that may move the board happened; a broadcast follows within the window. */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.flush().catch((err: unknown) => this.logger.error(`leaderboard broadcast failed: ${String(err)}`));
    }, LEADERBOARD_WINDOW_MS);
  }

  top(): Promise<LeaderboardEntry[]> {
    return this.repo.leaderboard(LEADERBOARD_SIZE);
  }

  private async flush(): Promise<void> {
    try {
      const leaderboard = await this.top();
      const key = JSON.stringify(leaderboard);
      if (key === this.lastSent) return;
      this.lastSent = key;
      this.ws.broadcastLeaderboardUpdate(leaderboard);
    } finally {
      this.timer = undefined;
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }
}
