import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ClusterCatchUp } from '../delivery/cluster-catch-up.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { GroupPublisher } from '../groups/group-publisher.js';
import { GroupPublishesRepository } from '../groups/group-publishes.repository.js';
import { GroupsRepository } from '../groups/groups.repository.js';
import { OfflineModule } from '../offline/offline.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationsSocket } from './notifications.socket.js';

@Module({
  imports: [AuthModule, RealtimeModule, OfflineModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    NotificationsService,
    GroupsRepository,
    GroupPublishesRepository,
    GroupPublisher,
    NotificationsSocket,
    DeliveryService,
    ClusterCatchUp,
  ],
  exports: [NotificationsService, DeliveryService, NotificationsRepository, GroupsRepository],
})
export class NotificationsModule {}
