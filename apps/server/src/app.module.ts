import { type DynamicModule, Module } from '@nestjs/common';
import { DevTokenModule } from './auth/dev-token.module.js';
import { ConfigModule } from './config/config.module.js';
import { type AppConfig } from './config/config.js';
import { DocsModule } from './docs/docs.module.js';
import { GamificationModule } from './gamification/gamification.module.js';
import { GroupsModule } from './groups/groups.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { DevMailboxModule } from './offline/email/dev-mailbox.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PreferencesModule } from './preferences/preferences.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RedisModule } from './realtime/redis.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StoreModule } from './store/store.module.js';
import { UserStateModule } from './user-state/user-state.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        MetricsModule,
        HealthModule,
        StoreModule,
        UserStateModule,
        RedisModule,
        RealtimeModule,
        NotificationsModule,
        GamificationModule,
        GroupsModule,
        PreferencesModule,
        SessionsModule,
        DocsModule,
        ...(config.devTokens ? [DevTokenModule] : []),
        // Only where emails are kept instead of sent (no SMTP_URL): elsewhere it would stay empty.
        ...(config.devTokens && !config.email.smtpUrl ? [DevMailboxModule] : []),
      ],
    };
  }
}
