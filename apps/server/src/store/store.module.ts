import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HealthService } from '../health/health.service.js';
import { IdempotentWrites } from '../idempotency/idempotent-writes.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { openStore, type Store } from './database.js';

/** Without DATABASE_TIMEOUT_MS, how long one statement of the embedded store may run before /health says it is stuck. */
const STALL_LIMIT_MS = 60_000;

/** The injection token of the open {@link Store}. */
export const STORE = Symbol('STORE');

@Global()
@Module({
  providers: [
    {
      provide: STORE,
      inject: [APP_CONFIG, HealthService, MetricsService],
      useFactory: async (config: AppConfig, health: HealthService, metrics: MetricsService): Promise<Store> => {
        const store = await openStore({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          timeoutMs: config.databaseTimeoutMs,
        });
        health.register('store', () => store.ping());
        if (store.thread) {
          // A statement past the timeout is cancelled by a restart; one that cannot be (in memory) wedges the process.
          health.watchStall('store', {
            stalledMs: store.thread.stalledMs,
            limitMs: config.databaseTimeoutMs || STALL_LIMIT_MS,
          });
          metrics.watchEmbeddedStore(store.thread);
        }
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
