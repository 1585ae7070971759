import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type LeaderboardEntry } from '@realtime/contracts';
import { UserStateRepository } from '../user-state/user-state.repository.js';
import { WebSocketService } from '../realtime/websocket.service.js';
import { GamificationRepository } from './gamification.repository.js';

export const LEADERBOARD_SIZE = 10;
/** A burst of XP changes within this window sends one `leaderboard:updated` per board, not one per change. */
export const LEADERBOARD_WINDOW_MS = 250;

/** The global board's key among the boards that changed. */
const GLOBAL = '';

/**
 * Coalesces leaderboard changes: at most one `leaderboard:updated` per board per window, and none when
 * its top did not change. The global board goes to everyone; a group's (with `groupId`) to its room.
 * Each process then sends the latest board to its sockets within BROADCAST_CPU_SHARE
 * (WebSocketService.broadcastLatest), so on a large audience boards come further apart, never late
 * for anything else.
 */
@Injectable()
export class LeaderboardBroadcaster implements OnModuleDestroy {
  private readonly logger = new Logger('LeaderboardBroadcaster');
  private timer: NodeJS.Timeout | undefined;
  /** Boards changed since the last flush: '' for the global one, else a group id. */
  private readonly dirty = new Set<string>();
  /** What each board last sent, so an unchanged top sends nothing. */
  private readonly lastSent = new Map<string, string>();

  constructor(
    private readonly repo: GamificationRepository,
    private readonly states: UserStateRepository,
    private readonly ws: WebSocketService,
  ) {}

  /** The user's XP changed: the global board and the boards of the user's groups may move. */
  changed(userId: string): void {
    this.mark(GLOBAL);
    // The user's groups come with their state: from memory on the embedded store, one indexed read otherwise.
    this.states.state(userId).then(
      ({ groups }) => groups.forEach((groupId) => this.mark(groupId)),
      (err: unknown) => this.logger.warn(`groups of ${userId} unknown, their boards not updated: ${String(err)}`),
    );
  }

  /** A group's members changed: its board may move. */
  groupChanged(groupId: string): void {
    this.mark(groupId);
  }

  top(groupId?: string): Promise<LeaderboardEntry[]> {
    return this.repo.leaderboard(LEADERBOARD_SIZE, groupId);
  }

  private mark(board: string): void {
    this.dirty.add(board);
    this.timer ??= setTimeout(() => {
      this.flush().catch((err: unknown) => this.logger.error(`leaderboard broadcast failed: ${String(err)}`));
    }, LEADERBOARD_WINDOW_MS);
  }

  private async flush(): Promise<void> {
    const boards = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(boards.map((board) => this.send(board)));
    } finally {
      this.timer = undefined;
      // Changes that came during the flush get their own window.
      if (this.dirty.size > 0) this.mark([...this.dirty][0]!);
    }
  }

  private async send(board: string): Promise<void> {
    const groupId = board === GLOBAL ? undefined : board;
    const leaderboard = await this.top(groupId);
    const key = JSON.stringify(leaderboard);
    if (key === this.lastSent.get(board)) return;
    this.lastSent.set(board, key);
    // Sent within the broadcast budget: at 16,000 sockets a board costs ~250 ms of one core.
    if (groupId === undefined) this.ws.broadcastLatest('leaderboard', 'all', { leaderboard });
    else this.ws.broadcastLatest(`leaderboard:${groupId}`, { groupId }, { leaderboard, groupId });
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }
}
