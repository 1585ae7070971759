import { Logger, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ClusterCatchUp } from '../delivery/cluster-catch-up.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { GroupsRepository } from '../groups/groups.repository.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationsSocket } from './notifications.socket.js';
import { LogOfflineChannel, OFFLINE_CHANNEL, type OfflineChannel } from './offline/offline-channel.js';
import { WebhookOfflineChannel } from './offline/webhook-offline-channel.js';

@Module({
  imports: [AuthModule, RealtimeModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    NotificationsService,
    GroupsRepository,
    NotificationsSocket,
    DeliveryService,
    ClusterCatchUp,
    {
      provide: OFFLINE_CHANNEL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): OfflineChannel => {
        if (!config.fallbackWebhookUrl) return new LogOfflineChannel();
        new Logger('NotificationsModule').log('offline notifications go to FALLBACK_WEBHOOK_URL');
        return new WebhookOfflineChannel(config.fallbackWebhookUrl);
      },
    },
  ],
  exports: [NotificationsService, DeliveryService, NotificationsRepository, GroupsRepository],
})
export class NotificationsModule {}
