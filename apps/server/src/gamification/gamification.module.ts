import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { GamificationController } from './gamification.controller.js';
import { GamificationRepository } from './gamification.repository.js';
import { GamificationService } from './gamification.service.js';
import { GamificationSocket } from './gamification.socket.js';
import { LeaderboardBroadcaster } from './leaderboard-broadcaster.js';

@Module({
  imports: [AuthModule, RealtimeModule, NotificationsModule],
  controllers: [GamificationController],
  providers: [GamificationRepository, GamificationService, GamificationSocket, LeaderboardBroadcaster],
  exports: [GamificationService, LeaderboardBroadcaster],
})
export class GamificationModule {}
