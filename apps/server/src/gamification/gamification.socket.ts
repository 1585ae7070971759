import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConnectionHooks } from '../realtime/connection-hooks.js';
import { GamificationService } from './gamification.service.js';

/** Records the display name of users whose token carries one, for the leaderboard. */
@Injectable()
export class GamificationSocket implements OnModuleInit {
  constructor(
    private readonly hooks: ConnectionHooks,
    private readonly gamification: GamificationService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(async ({ data }) => {
      if (data.name) await this.gamification.rememberName(data.userId, data.name);
    });
  }
}
