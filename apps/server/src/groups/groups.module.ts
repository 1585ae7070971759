import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { GamificationModule } from '../gamification/gamification.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { GroupsController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';

/** The group routes; GroupsRepository itself is the notifications module's (it shares the user's state row). */
@Module({
  imports: [AuthModule, RealtimeModule, NotificationsModule, GamificationModule],
  controllers: [GroupsController],
  providers: [GroupsService],
})
export class GroupsModule {}
