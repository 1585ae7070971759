import { Logger, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { type Store } from '../store/database.js';
import { STORE } from '../store/store.module.js';
import { OFFLINE_SENDERS, type OfflineSender } from './channels/sender.js';
import { WebhookSender } from './channels/webhook.sender.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveryWorker } from './delivery-worker.js';
import { OfflinePlanner } from './offline-plan.js';
import { AddressBook } from './email/address-book.js';
import { DigestRunner, EMAIL_SENDER } from './email/digest-runner.js';
import { EmailAddressController, UnsubscribeController } from './email/email.controller.js';
import { EmailDigestsRepository } from './email/email-digests.repository.js';
import { EmailSender } from './email/email.sender.js';
import { DevMailbox, SmtpTransport } from './email/mail-transport.js';
import { UnsubscribeLinks } from './email/unsubscribe-links.js';
import { OutboxRepository } from './outbox.repository.js';
import { PushController } from './push/push.controller.js';
import { PushSubscriptionsRepository } from './push/push-subscriptions.repository.js';
import { PushSender } from './push/push.sender.js';
import { VapidKeys } from './push/vapid-keys.js';

/**
 * Reaching users who are not looking: the outbox the publish writes to, the worker that sends what
 * is due, and its channels (Web Push, email with its digests, the webhook). See docs/delivery.md.
 */
@Module({
  imports: [AuthModule, RealtimeModule, PreferencesModule],
  controllers: [PushController, DeliveriesController, EmailAddressController, UnsubscribeController],
  providers: [
    OutboxRepository,
    PushSubscriptionsRepository,
    VapidKeys,
    AddressBook,
    UnsubscribeLinks,
    EmailDigestsRepository,
    {
      provide: EMAIL_SENDER,
      inject: [APP_CONFIG, STORE, UnsubscribeLinks],
      useFactory: async (config: AppConfig, store: Store, links: UnsubscribeLinks): Promise<EmailSender> => {
        await links.load();
        if (!config.email.smtpUrl && config.env === 'production') {
          new Logger('OfflineDelivery').warn(
            'SMTP_URL is not set: emails are kept in the development mailbox in the store, not sent',
          );
        }
        const transport = config.email.smtpUrl ? new SmtpTransport(config.email.smtpUrl) : new DevMailbox(store.db);
        return new EmailSender(config.email, transport, links);
      },
    },
    DigestRunner,
    {
      provide: OFFLINE_SENDERS,
      inject: [APP_CONFIG, VapidKeys, PushSubscriptionsRepository, EMAIL_SENDER],
      useFactory: async (
        config: AppConfig,
        keys: VapidKeys,
        subscriptions: PushSubscriptionsRepository,
        email: EmailSender,
      ): Promise<OfflineSender[]> => {
        const senders: OfflineSender[] = [email];
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
