import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HealthService } from '../health/health.service.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { openStore, type Store } from './database.js';

/** The injection token of the open {@link Store}. */
export const STORE = Symbol('STORE');

@Global()
@Module({
  providers: [
    {
      provide: STORE,
      inject: [APP_CONFIG, HealthService],
      useFactory: async (config: AppConfig, health: HealthService): Promise<Store> => {
        const store = await openStore({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          timeoutMs: config.databaseTimeoutMs,
        });
        health.register('store', () => store.ping());
        new Logger('Store').log(
          store.kind === 'postgres'
            ? 'using PostgreSQL (DATABASE_URL)'
            : `using the embedded store in ${config.dataDir}`,
        );
        return store;
      },
    },
    // A factory, not @Inject(STORE): idempotent-writes.ts importing STORE from here would be an import cycle.
    { provide: IdempotentWrites, inject: [STORE], useFactory: (store: Store) => new IdempotentWrites(store) },
  ],
  exports: [STORE, IdempotentWrites],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(STORE) private readonly store: Store) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
