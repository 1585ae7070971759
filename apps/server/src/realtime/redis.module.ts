import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HealthService } from '../health/health.service.js';

/** The pub/sub pair and the Socket.IO Redis adapter on it; absent when REDIS_URL is not set. */
export interface RedisPair {
  pub: Redis;
  sub: Redis;
  /** Prefix of every channel, so several deployments (or test runs) can share one Redis. */
  key: string;
  adapter: Parameters<Server['adapter']>[0];
}

export const REDIS = Symbol('REDIS');

function connect(RedisClient: typeof Redis, url: string, role: string): Redis {
  const logger = new Logger(`Redis:${role}`);
  let lastError = '';
  // maxRetriesPerRequest: null queues commands while Redis is away and sends them once it is back.
  const client = new RedisClient(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // Without a listener an 'error' event would crash the process; ioredis keeps reconnecting on its own.
  client.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn(`${err.message} (reconnecting)`);
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) logger.log('reconnected');
    lastError = '';
  });
  // The adapter publishes without awaiting; a publish rejected by a closed connection (at shutdown, or
  // after giving up) must not surface as an unhandled rejection, which would end the process.
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  client.publish = ((...args: unknown[]) => {
    const sent = publish(...args);
    sent.catch((err: Error) => logger.warn(`publish failed: ${err.message}`));
    return sent;
  }) as Redis['publish'];
  return client;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG, HealthService],
      useFactory: async (config: AppConfig, health: HealthService): Promise<RedisPair | null> => {
        if (!config.redisUrl) return null;
        // Loaded only with REDIS_URL: a process alone never pays for them.
        const [{ Redis }, { createAdapter }] = await Promise.all([
          import('ioredis'),
          import('@socket.io/redis-adapter'),
        ]);
        const pub = connect(Redis, config.redisUrl, 'pub');
        const sub = connect(Redis, config.redisUrl, 'sub');
        health.register('redis', async () => {
          await pub.ping();
        });
        new Logger('Cluster').log(`joining the cluster over Redis (channel prefix ${config.redisPrefix})`);
        const key = config.redisPrefix;
        return { pub, sub, key, adapter: createAdapter(pub, sub, { key: `${key}#socket.io` }) };
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisPair | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    // quit() flushes pending commands, but would wait forever on a Redis that never answered.
    await Promise.allSettled(
      [this.redis.pub, this.redis.sub].map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))),
    );
  }
}
