import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type Server } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HealthService } from '../health/health.service.js';

/** The pub/sub pair and the Socket.IO Redis adapter on it; absent when REDIS_URL is not set. */
export interface RedisPair {
  pub: Redis;
  sub: Redis;
  /** Prefix of every channel and key, so several deployments (or test runs) can share one Redis. */
  key: string;
  adapter: Parameters<Server['adapter']>[0];
  /** Calls `listener` each time either connection is back after it was lost. */
  onRecovered(listener: () => void): void;
}

export const REDIS = Symbol('REDIS');

/**
 * One connection. The publishing one never queues commands while Redis is away (ioredis would
 * queue publishes without bound): they fail at once, the emit reaches this process's sockets only,
 * and every process catches its sockets up from the store once Redis is back (ClusterCatchUp). The
 * subscribing one keeps its few (re)subscriptions queued.
 */
function connect(RedisClient: typeof Redis, url: string, role: 'pub' | 'sub', recovered: () => void): Redis {
  const logger = new Logger(`Redis:${role}`);
  let lastError = '';
  let lost = false;
  let failedPublishes = 0;
  const client = new RedisClient(url, {
    lazyConnect: false,
    enableOfflineQueue: role === 'sub',
    maxRetriesPerRequest: role === 'sub' ? null : 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Without a listener an 'error' event would crash the process; ioredis keeps reconnecting on its own.
  client.on('error', (err: Error) => {
    if (err.message !== lastError) logger.warn(`${err.message} (reconnecting)`);
    lastError = err.message;
  });
  client.on('close', () => {
    if (lost) return;
    lost = true;
    logger.warn('connection lost: emits reach this process only until Redis is back');
  });
  client.on('ready', () => {
    if (!lost) return;
    logger.log(`reconnected${failedPublishes ? ` (${failedPublishes} publishes failed meanwhile)` : ''}`);
    lost = false;
    lastError = '';
    failedPublishes = 0;
    recovered();
  });
  // The adapter publishes without awaiting; a rejected publish must not become an unhandled
  // rejection (which would end the process), nor a log line per emit while Redis is away.
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  client.publish = ((...args: unknown[]) => {
    const sent = publish(...args);
    sent.catch(() => failedPublishes++);
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
        const listeners: (() => void)[] = [];
        const recovered = () => listeners.forEach((l) => l());
        const pub = connect(Redis, config.redisUrl, 'pub', recovered);
        const sub = connect(Redis, config.redisUrl, 'sub', recovered);
        health.register('redis', async () => {
          await pub.ping();
        });
        new Logger('Cluster').log(`joining the cluster over Redis (channel prefix ${config.redisPrefix})`);
        const key = config.redisPrefix;
        return {
          pub,
          sub,
          key,
          adapter: createAdapter(pub, sub, { key: `${key}#socket.io` }),
          onRecovered: (listener) => listeners.push(listener),
        };
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
