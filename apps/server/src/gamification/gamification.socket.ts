import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConnectionHooks } from '../realtime/connection-hooks.js';
import { GamificationService } from './gamification.service.js';

/** Names this process has recorded; bounded, so a process meeting millions of users forgets the oldest. */
const RECORDED_NAMES_MAX = 50_000;

/**
 * Records the display name of users whose token carries one, for the leaderboard: once per user and
 * name per process, not on every connect of every device.
 */
@Injectable()
export class GamificationSocket implements OnModuleInit {
  private readonly recorded = new Map<string, string>();

  constructor(
    private readonly hooks: ConnectionHooks,
    private readonly gamification: GamificationService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(async ({ data: { userId, name } }) => {
      if (!name || this.recorded.get(userId) === name) return;
      await this.gamification.rememberName(userId, name);
      this.recorded.delete(userId);
      this.recorded.set(userId, name);
      if (this.recorded.size > RECORDED_NAMES_MAX) this.recorded.delete(this.recorded.keys().next().value!);
    });
  }
}
