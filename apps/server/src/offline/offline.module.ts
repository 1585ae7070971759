import { Logger, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { OFFLINE_SENDERS, type OfflineSender } from './channels/sender.js';
import { WebhookSender } from './channels/webhook.sender.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveryWorker } from './delivery-worker.js';
import { OfflinePlanner } from './offline-plan.js';
import { OutboxRepository } from './outbox.repository.js';
import { PushController } from './push/push.controller.js';
import { PushSubscriptionsRepository } from './push/push-subscriptions.repository.js';
import { PushSender } from './push/push.sender.js';
import { VapidKeys } from './push/vapid-keys.js';

/**
 * Reaching users who are not looking: the outbox the publish writes to, the worker that sends what
 * is due, and its channels (Web Push, the webhook). See docs/delivery.md.
 */
@Module({
  imports: [AuthModule, RealtimeModule],
  controllers: [PushController, DeliveriesController],
  providers: [
    OutboxRepository,
    PushSubscriptionsRepository,
    VapidKeys,
    {
      provide: OFFLINE_SENDERS,
      inject: [APP_CONFIG, VapidKeys, PushSubscriptionsRepository],
      useFactory: async (
        config: AppConfig,
        keys: VapidKeys,
        subscriptions: PushSubscriptionsRepository,
      ): Promise<OfflineSender[]> => {
        const senders: OfflineSender[] = [];
        if (await keys.load())
          senders.push(new PushSender(keys, subscriptions, config.pushDelaySeconds, config.pushTypeOptions));
        if (config.fallbackWebhookUrl) {
          senders.push(new WebhookSender(config.fallbackWebhookUrl, config.fallbackWebhookSecret));
          if (!config.fallbackWebhookSecret) {
            new Logger('OfflineDelivery').warn(
              'FALLBACK_WEBHOOK_URL without FALLBACK_WEBHOOK_SECRET: webhook POSTs are not signed',
            );
          }
        }
        return senders;
      },
    },
    OfflinePlanner,
    DeliveryWorker,
  ],
  exports: [OfflinePlanner, DeliveryWorker],
})
export class OfflineModule {}
